"""What both export forms start from: the StackSpec of `up`, and where its config files are mounted."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass

from monlab.project import Project
from monlab.stack.spec import ImageChoice, ServiceSpec, StackSpec

BUILT_HERE = ""  # image id of an export: the image is built or pulled by the orchestrator, not by monlab


@dataclass(frozen=True)
class ExportFile:
    text: str
    mode: int = 0o644  # readable by the containers' users (65534, 472) whatever the umask


@dataclass(frozen=True)
class ConfigMount:
    """One top-level entry of a service's config root, mounted read-only where `up` puts its files."""

    service: str
    entry: str  # "prometheus.yml" or "rules": relative to the service's config root
    target: str  # absolute path in the container
    files: dict[str, str]  # path relative to the entry (the entry's own name for a single file) -> text
    is_file: bool


def export_spec(project: Project, offline: bool, password: str, app_image: str | None = None) -> StackSpec:
    """The spec `monlab up` would converge to for this project and mode, with images not yet present."""
    from monlab.stack.spec import stack_spec

    refs = image_refs(offline)
    images = {
        "app": ImageChoice(app_image or project.app_image, BUILT_HERE),
        "prometheus": ImageChoice(refs["prometheus"], BUILT_HERE),
        "grafana": ImageChoice(refs.get("grafana", ""), BUILT_HERE),
    }
    return stack_spec(project, offline, images, password)


def image_refs(offline: bool) -> dict[str, str]:
    """The references `up` would use in this mode: the pins with the user's MONLAB_IMAGE_* overrides."""
    from monlab.image_refs import resolve

    return resolve().for_mode(offline)


def app_base_image(offline: bool) -> str:
    return image_refs(offline)["app-base"]


def config_root(service: ServiceSpec) -> str:
    """The directory all of a service's files live under (/etc/prometheus, /etc/grafana)."""
    return posixpath.commonpath([posixpath.dirname(path) for path in service.files])


def config_mounts(service: ServiceSpec) -> list[ConfigMount]:
    """One mount per top-level entry of the config root, never the root itself: an image keeps its
    own files there (grafana.ini in /etc/grafana) that a mount of the whole root would hide."""
    if not service.files:
        return []
    root = config_root(service)
    grouped: dict[str, dict[str, str]] = {}
    single_files = set()
    for path, text in sorted(service.files.items()):
        entry, _, rest = posixpath.relpath(path, root).partition("/")
        grouped.setdefault(entry, {})[rest or entry] = text
        if not rest:
            single_files.add(entry)
    return [ConfigMount(service.service, entry, f"{root}/{entry}", files, entry in single_files)
            for entry, files in grouped.items()]


def volume_key(spec: StackSpec, volume: str) -> str:
    """A volume's name without the project prefix: its key in a compose file, its PVC's name."""
    prefix = f"{spec.project.name}-"
    return volume[len(prefix):] if volume.startswith(prefix) else volume


def service_volumes(spec: StackSpec, service: ServiceSpec) -> dict[str, str]:
    """key -> mount point of the service's data volumes."""
    return {volume_key(spec, name): target for name, target in service.create.volumes.items()}
