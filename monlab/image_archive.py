"""Is this file an image archive of monlab's, whole? Checked before Docker sees it, so a text file,
a half-copied USB file or someone else's images get a message that blames the file, not Docker."""

from __future__ import annotations

import json
import tarfile
from pathlib import Path

from monlab.errors import ConfigError
from monlab.image_refs import normalized

HINT = "Copy the whole file written by `monlab images save` again, or run `monlab images bootstrap`."


class BadArchive(ConfigError):
    """The file is not a complete image archive of monlab's images."""


def check_archive(path: Path, allowed: set[str]) -> list[str]:
    """The RepoTags the archive holds; BadArchive unless it is a complete `docker save` tar whose
    tags are all among `allowed` (or monlab's own `monlab/…` images)."""
    size = path.stat().st_size
    members: dict[str, tarfile.TarInfo] = {}
    try:
        with tarfile.open(path, "r:") as archive:
            for member in archive:
                members[member.name] = member
            _require_whole(path, size, members, end=archive.offset)
            manifest = _manifest(archive, members, path)
    except tarfile.TarError as exc:
        if members:
            raise BadArchive(f"{path} is truncated: it stops after {list(members)[-1]} ({exc})", HINT) from None
        raise BadArchive(f"{path} is not a tar archive of images ({exc})", HINT) from None
    tags = []
    for entry in manifest:
        for name in [entry.get("Config"), *(entry.get("Layers") or [])]:
            if not isinstance(name, str) or name not in members:
                raise BadArchive(f"{path} is incomplete: manifest.json names {name!r}, which the archive lacks", HINT)
        tags.extend(entry.get("RepoTags") or [])
    wanted = {normalized(ref) for ref in allowed}
    foreign = [t for t in tags if normalized(t) not in wanted and not normalized(t).startswith("docker.io/monlab/")]
    if foreign or not tags:
        what = ", ".join(foreign) if foreign else "no tagged images"
        raise BadArchive(f"{path} holds {what}, not monlab's images", "Give the tar written by `monlab images save`.")
    return tags


def _require_whole(path: Path, size: int, members: dict[str, tarfile.TarInfo], end: int) -> None:
    """Every member's data inside the file, then the two zero blocks that end every tar."""
    for member in members.values():
        if member.isfile() and member.offset_data + member.size > size:
            raise BadArchive(f"{path} is truncated: {member.name} is cut off at {size} bytes", HINT)
    if members and size < end + 2 * tarfile.BLOCKSIZE:
        raise BadArchive(f"{path} is truncated: it stops after {list(members)[-1]} without the end of the archive", HINT)


def _manifest(archive: tarfile.TarFile, members: dict[str, tarfile.TarInfo], path: Path) -> list[dict]:
    member = members.get("manifest.json")
    if member is None:
        raise BadArchive(f"{path} is a tar but not an image archive (no manifest.json)", HINT)
    try:
        data = json.loads(archive.extractfile(member).read())
    except (ValueError, tarfile.TarError, OSError, AttributeError) as exc:
        raise BadArchive(f"{path} has an unreadable manifest.json ({type(exc).__name__})", HINT) from None
    if not isinstance(data, list) or not all(isinstance(e, dict) for e in data):
        raise BadArchive(f"{path} has a manifest.json that is not a list of images", HINT)
    return data
