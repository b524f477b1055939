"""Rendered files on disk (`monlab render --out`)."""

from __future__ import annotations

import json
from pathlib import Path

from monlab.errors import ConfigError

MARKER = ".monlab-render.json"


def write_rendered(files: dict[str, dict[str, str]], out_dir: Path) -> list[Path]:
    """Write `{service: {path: text}}` under out_dir/service/path; returns the files written.

    Refuses a non-empty directory that is not a previous render, so no user data is overwritten.
    Files a previous render wrote and this one no longer has are removed; nothing else is.
    """
    out_dir = Path(out_dir)
    previous = previous_files(out_dir, MARKER, "render")
    wanted = {f"{service}/{path}" for service, service_files in files.items() for path in service_files}
    for stale in sorted(set(previous) - wanted):
        (out_dir / stale).unlink(missing_ok=True)
    written = []
    for service, service_files in files.items():
        for path, text in sorted(service_files.items()):
            target = out_dir / service / path
            _write(target, text)
            written.append(target)
    _write(out_dir / MARKER, json.dumps({"files": sorted(wanted)}, indent=2) + "\n")
    return written


def previous_files(out_dir: Path, marker: str, what: str) -> list[str]:
    """The files a previous `what` ("render", "export") listed in out_dir's `marker` file; [] for a
    missing or empty directory. Any other non-empty directory is refused: monlab never overwrites
    files it did not write."""
    if out_dir.exists() and not out_dir.is_dir():
        raise ConfigError(f"{out_dir} is a file, not a directory", "Choose a new or empty directory.")
    if not out_dir.exists() or not any(out_dir.iterdir()):
        return []
    try:
        listed = json.loads((out_dir / marker).read_text(encoding="utf-8"))["files"]
    except (OSError, ValueError, KeyError, TypeError):
        raise ConfigError(
            f"{out_dir} is not empty and holds no previous monlab {what}",
            "Choose a new or empty directory; monlab never overwrites other files.",
        ) from None
    return [p for p in listed if isinstance(p, str) and ".." not in Path(p).parts and not Path(p).is_absolute()]


def _write(target: Path, text: str) -> None:
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"Cannot write {target} ({exc.strerror})", "Check the directory's permissions.") from exc
