"""The `--report DIR` folder: written only when it is new, empty, or holds a previous report whose
files nobody changed since; monlab never replaces files it did not write there."""

from __future__ import annotations

from pathlib import Path

from monlab.written_files import edited_since, manifest_text, read_manifest, refuse, strangers

MARKER = ".monlab-report.json"


def require_report_folder(directory: Path, force: bool) -> None:
    """NotOurs when `directory` holds a file a previous report did not write, or one edited since."""
    if force or not directory.is_dir() or not any(directory.iterdir()):
        return
    manifest = read_manifest(directory, MARKER) or {}
    foreign = sorted(set(strangers(directory, MARKER, manifest)) | set(edited_since(directory, manifest, manifest)))
    if foreign:
        raise refuse("report", directory, foreign)


def record_report(directory: Path, written: list[Path]) -> None:
    """The manifest that lets the next report replace these files."""
    files = {path.relative_to(directory).as_posix(): path.read_bytes() for path in written}
    (directory / MARKER).write_text(manifest_text(files), encoding="utf-8")
