"""Folders monlab writes into (`render`, `export`, `--report`): a manifest beside the files with each
one's checksum, so a later run replaces only files it wrote and nobody edited since."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Iterable

from monlab.errors import ConfigError, NotOurs


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def claim(out_dir: Path, marker: str, what: str, paths: Iterable[str], force: bool = False) -> dict[str, str]:
    """Before `what` ("render", "export") writes `paths` (relative) into out_dir: the previous run's
    manifest ({} for a missing or empty directory). Refused: a file in the directory's place, a
    non-empty directory no earlier `what` wrote (ConfigError, even with force), and (NotOurs, unless
    `force`) a file this run would replace or remove that was edited since."""
    if out_dir.exists() and not out_dir.is_dir():
        raise ConfigError(f"{out_dir} is a file, not a directory", "Choose a new or empty directory.")
    if not out_dir.exists() or not any(out_dir.iterdir()):
        return {}
    previous = read_manifest(out_dir, marker)
    if previous is None:
        raise ConfigError(f"{out_dir} is not empty and holds no previous monlab {what}",
                          "Choose a new or empty directory; monlab never overwrites other files.")
    edited = edited_since(out_dir, previous, set(paths) | set(previous))
    if edited and not force:
        raise refuse(what, out_dir, edited)
    return previous


def read_manifest(out_dir: Path, marker: str) -> dict[str, str] | None:
    """Relative path -> sha256 of what monlab wrote ("" where an older manifest listed no checksum);
    None without a readable manifest."""
    try:
        listed = json.loads((out_dir / marker).read_text(encoding="utf-8"))["files"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    pairs = listed.items() if isinstance(listed, dict) else ((path, "") for path in listed if isinstance(path, str))
    return {path: str(sha) for path, sha in pairs if _inside(path)}


def manifest_text(files: dict[str, bytes]) -> str:
    return json.dumps({"files": {path: digest(data) for path, data in sorted(files.items())}}, indent=2) + "\n"


def edited_since(out_dir: Path, manifest: dict[str, str], paths: Iterable[str]) -> list[str]:
    """Of `paths` (relative), those present whose content is not what the manifest recorded."""
    edited = []
    for path in sorted(paths):
        target = out_dir / path
        if not target.is_file() and not target.is_symlink():
            continue
        recorded = manifest.get(path)
        if recorded is None or (recorded and _digest_of(target) != recorded):
            edited.append(path)
    return edited


def strangers(out_dir: Path, marker: str, manifest: dict[str, str]) -> list[str]:
    """Files under out_dir that the manifest does not list."""
    return sorted(
        path.relative_to(out_dir).as_posix() for path in out_dir.rglob("*")
        if not path.is_dir() and path.relative_to(out_dir).as_posix() not in {marker, *manifest}
    )


def refuse(what: str, out_dir: Path, paths: list[str]) -> NotOurs:
    shown = ", ".join(paths[:3]) + (f" and {len(paths) - 3} more" if len(paths) > 3 else "")
    return NotOurs(f"{out_dir} holds {shown}, which monlab did not write or which was edited since; "
                   f"the {what} leaves it untouched unless you add --force")


def _digest_of(path: Path) -> str:
    try:
        return digest(path.read_bytes())
    except OSError:
        return ""


def _inside(path: str) -> bool:
    return ".." not in Path(path).parts and not Path(path).is_absolute()
