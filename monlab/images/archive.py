"""Carrying the stack's images between machines as one tar (`monlab images save`/`load`).

Is a file an image archive of monlab's, whole? Checked before Docker sees it, so a text file, a
half-copied USB file or someone else's images get a message that blames the file, not Docker."""

from __future__ import annotations

import json
import tarfile
from pathlib import Path

from monlab.docker_runtime import DockerRuntime
from monlab.errors import ConfigError, ImageUnavailable, NotOurs
from monlab.image_refs import normalized
from monlab.images.table import default_images
from monlab.interrupts import Leftovers
from monlab.project import OFFLINE_IMAGES, ONLINE_IMAGES

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


def refuse_replacing(path: Path, force: bool) -> None:
    """`images save` writes over an existing file only when it is a monlab image archive, or `force`."""
    if path.is_dir():
        raise ConfigError(f"{path} is a directory", "Give the path of the tar file to write.")
    if force or not (path.exists() or path.is_symlink()):
        return
    try:
        check_load_file(path)
    except ConfigError:  # not a whole archive of monlab's images, or not readable as one
        raise NotOurs(f"{path} exists and is not an image archive of monlab's; `images save` leaves it "
                      "untouched unless you add --force") from None


def save(runtime: DockerRuntime, path: Path, force: bool = False) -> list[str]:
    refuse_replacing(path, force)
    refs = default_images(runtime)
    if not refs:
        raise ImageUnavailable("No monlab images are present to save", "Run `monlab images bootstrap` first.")
    partial = path.with_name(path.name + ".partial")  # never a half-written tar under the real name
    try:
        with partial.open("wb") as out:
            runtime.save_images(refs, out)
        partial.replace(path)
    except OSError as exc:
        raise ConfigError(f"Cannot write {path} ({exc.strerror})", "Choose a path in a writable directory.") from exc
    finally:
        partial.unlink(missing_ok=True)
    return refs


def check_load_file(path: Path) -> list[str]:
    """The tags in `path`; ConfigError blaming the file unless it is a whole archive of monlab's images."""
    if not path.is_file():
        raise ConfigError(f"{path} is not a file", "Give the tar written by `monlab images save`.")
    try:
        return check_archive(path, set(OFFLINE_IMAGES.values()) | set(ONLINE_IMAGES.values()))
    except OSError as exc:
        raise ConfigError(f"Cannot read {path} ({exc.strerror})") from exc


def load(runtime: DockerRuntime, path: Path, leftovers: Leftovers | None = None) -> list[str]:
    tags = check_load_file(path)
    # Docker tags each image only once it is loaded whole, so a stopped load leaves some images missing, none broken.
    note = f"The load of {path} was stopped and some of its images may be missing: run `monlab images load {path}` again"
    try:
        with path.open("rb") as source, (leftovers or Leftovers()).while_changing("images:load", note):
            return runtime.load_images(source, tags)
    except OSError as exc:
        raise ConfigError(f"Cannot read {path} ({exc.strerror})") from exc
