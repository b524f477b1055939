"""The stack as a Docker Compose project: a pure renderer over the StackSpec of `monlab up`.

Works with Compose v2 (`docker compose`) and Debian's docker-compose 1.29, which knows no top-level
`name:`: the project name and the Grafana password come from `.env` next to compose.yaml, which both
read by themselves, so compose.yaml never holds the password.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml

from monlab.export.source import ExportFile, config_mounts, service_volumes, volume_key
from monlab.project import LABEL_CONFIG_HASH
from monlab.stack.spec import ServiceSpec, StackSpec, app_build_labels

COMPOSE_FILE = "compose.yaml"
ENV_FILE = ".env"
PASSWORD_VARIABLE = "GRAFANA_ADMIN_PASSWORD"
NETWORK_KEY = "monlab"
APP_DIR = "app"
# `up`'s drift detector; Compose keeps its own (com.docker.compose.config-hash), so an exported
# container carries none and a later `monlab up` on the same project converges it like any other.
DROPPED_LABELS = (LABEL_CONFIG_HASH,)


@dataclass(frozen=True)
class AppBuild:
    service: str  # the service whose image Compose builds
    context: str  # relative to compose.yaml
    base_image: str  # BASE_IMAGE build argument, as `up` passes it


def compose_export(spec: StackSpec, build: AppBuild, password: str, app_files: dict[str, str]) -> dict[str, ExportFile]:
    """Every file of the export, by path relative to the export directory."""
    secrets = {password: PASSWORD_VARIABLE} if password else {}
    files = {COMPOSE_FILE: ExportFile(compose_text(spec, build, secrets))}
    files[ENV_FILE] = ExportFile(env_text(spec, password), mode=0o600)
    for service in spec.services:
        for mount in config_mounts(service):
            for relative, text in mount.files.items():
                path = f"{service.service}/{mount.entry}" if mount.is_file else f"{service.service}/{mount.entry}/{relative}"
                files[path] = ExportFile(text)
    for relative, text in app_files.items():
        files[f"{build.context.removeprefix('./')}/{relative}"] = ExportFile(text)
    return files


def env_text(spec: StackSpec, password: str) -> str:
    lines = [
        "# Read by docker-compose / docker compose from this directory. Keep it private (mode 0600).",
        f"COMPOSE_PROJECT_NAME={spec.project.name}",
    ]
    if password:
        lines.append(f"{PASSWORD_VARIABLE}={password}")
    return "\n".join(lines) + "\n"


def compose_text(spec: StackSpec, build: AppBuild, secrets: dict[str, str]) -> str:
    project = spec.project.name
    header = [
        f"# monlab stack {project!r}, exported by `monlab export compose`: the same containers, network,",
        "# volumes, ports and labels as `monlab up`, so `monlab status`, `monlab lab` and `monlab teardown`",
        f"# work on it with --project {project}. Config files are mounted read-only from the directories",
        "# next to this file; after editing one, `docker-compose restart <service>`.",
        "# Start:  docker-compose -f compose.yaml up -d --build   (or: docker compose ... )",
        f"# Remove: monlab teardown --project {project}   (or: docker-compose down -v, which keeps the app image)",
    ]
    if secrets:
        header.append(f"# The Grafana admin password is {PASSWORD_VARIABLE} in {ENV_FILE}, never in this file.")
    body = yaml.safe_dump(compose_document(spec, build, secrets), sort_keys=False, default_flow_style=False, width=1000)
    return "\n".join(header) + "\n" + body


def compose_document(spec: StackSpec, build: AppBuild, secrets: dict[str, str]) -> dict[str, Any]:
    """`secrets`: value -> variable; a value equal to one is written as ${VARIABLE}, never in clear."""
    return {
        "services": {s.service: _service(spec, s, build, secrets) for s in spec.services},
        "networks": {NETWORK_KEY: {"name": spec.network, "labels": _strings(spec.project.labels(), secrets)}},
        "volumes": {
            volume_key(spec, name): {"name": name, "labels": _strings(labels, secrets)}
            for name, labels in spec.volumes.items()
        },
    }


def _service(spec: StackSpec, service: ServiceSpec, build: AppBuild, secrets: dict[str, str]) -> dict[str, Any]:
    create = service.create
    out: dict[str, Any] = {"image": _escaped(create.image)}
    if service.service == build.service:
        out["build"] = {
            "context": build.context,
            "args": {"BASE_IMAGE": _escaped(build.base_image)},
            "labels": _strings(app_build_labels(spec.project), secrets),
        }
    out["container_name"] = create.name
    if create.user:
        out["user"] = create.user
    if create.command:
        out["command"] = [_escaped(part) for part in create.command]
    if create.environment:
        out["environment"] = _strings(create.environment, secrets)
    labels = {k: v for k, v in create.labels.items() if k not in DROPPED_LABELS}
    out["labels"] = _strings(labels, secrets)
    out["ports"] = [f"{_host(bind)}:{host_port}:{port}" for port, (bind, host_port) in create.ports.items()]
    volumes = [f"{key}:{target}" for key, target in service_volumes(spec, service).items()]
    volumes += [f"./{service.service}/{mount.entry}:{mount.target}:ro" for mount in config_mounts(service)]
    if volumes:
        out["volumes"] = volumes
    out["networks"] = {NETWORK_KEY: {"aliases": [create.network_alias]}}
    return out


def _strings(values: dict[str, str], secrets: dict[str, str]) -> dict[str, str]:
    return {key: f"${{{secrets[value]}}}" if value in secrets else _escaped(value) for key, value in values.items()}


def _escaped(text: str) -> str:
    """Compose interpolates $VAR everywhere; a literal dollar is written $$."""
    return text.replace("$", "$$")


def _host(bind: str) -> str:
    return f"[{bind}]" if ":" in bind else bind
