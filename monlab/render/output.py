"""Rendered files on disk (`monlab render --out`)."""

from __future__ import annotations

from pathlib import Path

from monlab.errors import ConfigError
from monlab.written_files import claim, manifest_text

MARKER = ".monlab-render.json"


def write_rendered(files: dict[str, dict[str, str]], out_dir: Path, force: bool = False) -> list[Path]:
    """Write `{service: {path: text}}` under out_dir/service/path; returns the files written.

    Refuses a non-empty directory that is not a previous render, and (unless `force`) one where a
    file it would replace or remove was edited since. Files a previous render wrote and this one no
    longer has are removed; nothing else is.
    """
    out_dir = Path(out_dir)
    wanted = {f"{service}/{path}": text for service, service_files in files.items()
              for path, text in service_files.items()}
    previous = claim(out_dir, MARKER, "render", wanted, force)
    for stale in sorted(set(previous) - set(wanted)):
        (out_dir / stale).unlink(missing_ok=True)
    written = []
    for relative, text in sorted(wanted.items()):
        _write(out_dir / relative, text)
        written.append(out_dir / relative)
    _write(out_dir / MARKER, manifest_text({path: text.encode() for path, text in wanted.items()}))
    return written


def _write(target: Path, text: str) -> None:
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"Cannot write {target} ({exc.strerror})", "Check the directory's permissions.") from exc
