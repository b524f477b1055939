"""Writing an export directory: every file with its mode, never over files monlab did not write or
that were edited since (its manifest, MARKER, records each file's checksum)."""

from __future__ import annotations

import os
from pathlib import Path

from monlab.errors import ConfigError
from monlab.export.source import ExportFile
from monlab.written_files import claim, manifest_text, read_manifest

MARKER = ".monlab-export.json"
DIR_MODE = 0o755  # bind-mounted config directories must be listable by uid 65534 and 472


def write_export(out_dir: Path, files: dict[str, ExportFile], force: bool = False) -> list[Path]:
    """Write `files` (relative path -> file) under out_dir; returns the paths written, in order.

    Refuses a non-empty directory that is not a previous export, and (unless `force`) one where a
    file it would replace or remove was edited since, or was not written by the previous export.
    Files a previous export wrote and this one does not are removed; nothing else is.
    """
    previous = claim(out_dir, MARKER, "export", files, force)
    for stale in sorted(set(previous) - set(files)):
        (out_dir / stale).unlink(missing_ok=True)
    written = []
    for relative, file in files.items():
        target = out_dir / relative
        _write(out_dir, target, file)
        written.append(target)
    _write(out_dir, out_dir / MARKER, ExportFile(manifest_text({path: f.text.encode() for path, f in files.items()})))
    return written


def read_previous(out_dir: Path, relative: str) -> str | None:
    """A file of a previous export in out_dir, if there is one."""
    if relative not in (read_manifest(out_dir, MARKER) or {}):
        return None
    try:
        return (out_dir / relative).read_text(encoding="utf-8")
    except OSError:
        return None


def _write(root: Path, target: Path, file: ExportFile) -> None:
    try:
        root.mkdir(parents=True, exist_ok=True)
        for directory in reversed(target.relative_to(root).parents[:-1]):
            (root / directory).mkdir(exist_ok=True)
            (root / directory).chmod(DIR_MODE)
        # Created with its final mode, so a private file is never readable by others, not even briefly.
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, file.mode)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(file.text)
        target.chmod(file.mode)
    except OSError as exc:
        raise ConfigError(f"Cannot write {target} ({exc.strerror})", "Check the directory's permissions.") from exc
