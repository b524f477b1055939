"""The lab app's source files as a unit: copied out by `monlab app eject`, and the build context of its image."""

from __future__ import annotations

import shutil
from pathlib import Path

from monlab.errors import ConfigError
from monlab.resources import app_source_dir

_NOT_SOURCE = shutil.ignore_patterns("__pycache__", "*.pyc")


def copy_app_source(dest: Path, source: Path | None = None) -> list[Path]:
    """Copy the app into `dest`, which must be missing or empty; returns the files written, sorted.

    Never overwrites: an existing non-empty `dest` is refused before anything is written.
    """
    source = source or app_source_dir()
    if dest.exists() and not dest.is_dir():
        raise ConfigError(f"{dest} exists and is not a directory", "Choose a new directory name.")
    if dest.is_dir() and any(dest.iterdir()):
        raise ConfigError(f"{dest} is not empty; nothing was copied", "Choose a new or empty directory.")
    try:
        shutil.copytree(source, dest, ignore=_NOT_SOURCE, dirs_exist_ok=True)
    except (OSError, shutil.Error) as exc:
        raise ConfigError(f"Cannot copy the lab app to {dest} ({exc})", "Check the directory's permissions.") from exc
    return sorted(p for p in dest.rglob("*") if p.is_file())
