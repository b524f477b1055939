"""Reading provisioning directories: which files count, and YAML errors in Grafana's words."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import yaml


def list_files(directory: Path, suffixes: tuple[str, ...]) -> list[Path] | None:
    """Files of `directory` with one of `suffixes`, in the order Go's os.ReadDir gives (sorted by
    name); None when the directory cannot be read (Grafana logs that and provisions nothing)."""
    try:
        names = sorted(os.listdir(directory))
    except OSError:
        return None
    return [directory / name for name in names if name.endswith(suffixes) and (directory / name).is_file()]


def load(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text())
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark else ""
        raise ValueError(f"yaml: {where}{getattr(exc, 'problem', None) or exc}") from exc
