"""`monlab export compose|kubernetes DIR`: choose the specs, render, write the directory."""

from __future__ import annotations

import secrets
from pathlib import Path

from monlab.errors import ConfigError
from monlab.export import compose, kubernetes
from monlab.export.source import app_base_image, export_spec
from monlab.export.write import read_previous, write_export
from monlab.project import Project

DEFAULT_NAMESPACE_PREFIX = "monlab-student-"


def export_compose(out_dir: Path, project: Project, offline: bool, force: bool = False) -> list[Path]:
    password = "" if offline else _kept_password(out_dir) or new_password()
    spec = export_spec(project, offline, password)
    build = compose.AppBuild("app", f"./{compose.APP_DIR}", app_base_image(offline))
    return write_export(out_dir, compose.compose_export(spec, build, password, app_files()), force)


def export_kubernetes(out_dir: Path, students: int, prefix: str, app_image: str | None, force: bool = False) -> list[Path]:
    namespaces = [f"{prefix}{i}" for i in range(1, students + 1)]
    passwords = {ns: new_password() for ns in namespaces}
    image = app_image or Project().app_image  # what a plain `monlab up` builds, to be pushed to a registry
    specs = [export_spec(Project(ns), False, passwords[ns], image) for ns in namespaces]
    return write_export(out_dir, kubernetes.class_export(specs, passwords, image), force)


def new_password() -> str:
    return secrets.token_urlsafe(12)


def app_files() -> dict[str, str]:
    """The lab app's source, the build context Compose builds the app image from (as `up` does)."""
    from monlab.resources import app_source_dir

    root = app_source_dir()
    files = {}
    for path in sorted(root.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
            try:
                files[path.relative_to(root).as_posix()] = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise ConfigError(f"Cannot read the lab app's {path} ({exc})") from exc
    return files


def _kept_password(out_dir: Path) -> str:
    """A re-export into the same directory keeps the password its Grafana volume already has."""
    text = read_previous(out_dir, compose.ENV_FILE) or ""
    for line in text.splitlines():
        key, _, value = line.partition("=")
        if key.strip() == compose.PASSWORD_VARIABLE:
            return value.strip()
    return ""
