"""The desired state of one stack as plain data: a pure function of the project, the rendered
config, the images and the options. Nothing here talks to Docker."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field

from monlab.docker_runtime import ContainerCreate
from monlab.project import CONTAINER_PORTS, LABEL_CONFIG_HASH, Project

# Settings of the stack kept on its containers, so `status` and labs can find them again.
LABEL_MODE = "monlab.mode"  # "online" or "offline"
LABEL_BIND = "monlab.bind"
LABEL_PORT_OFFSET = "monlab.port-offset"
LABEL_GRAFANA_PASSWORD = "monlab.grafana-password"  # on the Grafana data volume: Grafana keeps its first password

PROMETHEUS_ROOT = "/etc/prometheus"
GRAFANA_ROOT = "/etc/grafana"
PROMETHEUS_DATA = "prometheus-data"
GRAFANA_DATA = "grafana-data"
GRAFANA_OFFLINE_NOTE = "Grafana is unavailable offline (no Debian package)"


@dataclass(frozen=True)
class ImageChoice:
    ref: str  # what the container is created from
    id: str  # what the config hash compares: a rebuilt or re-pulled image means a new container


@dataclass(frozen=True)
class StackOptions:
    offline: bool = False
    grafana_password: str = ""
    retention: str = "15d"


@dataclass(frozen=True)
class ServiceSpec:
    service: str
    create: ContainerCreate
    files: dict[str, str] = field(default_factory=dict)  # absolute path in the container -> text

    @property
    def config_hash(self) -> str:
        return self.create.labels[LABEL_CONFIG_HASH]


@dataclass(frozen=True)
class StackSpec:
    project: Project
    network: str
    volumes: dict[str, dict[str, str]]  # name -> labels
    services: tuple[ServiceSpec, ...]

    @property
    def hashes(self) -> dict[str, str]:
        """service -> config hash, in start order: what the convergence plan compares."""
        return {s.service: s.config_hash for s in self.services}

    def service(self, name: str) -> ServiceSpec:
        return next(s for s in self.services if s.service == name)


def desired_stack(
    project: Project,
    rendered: dict[str, dict[str, str]],
    images: dict[str, ImageChoice],
    options: StackOptions,
) -> StackSpec:
    """`rendered` as render_stack returns it; `images` per service (app, prometheus, grafana)."""
    services = [
        _service(project, options, "app", images["app"]),
        _service(
            project, options, "prometheus", images["prometheus"],
            command=[
                f"--config.file={PROMETHEUS_ROOT}/prometheus.yml",
                "--storage.tsdb.path=/prometheus",
                f"--storage.tsdb.retention.time={options.retention}",
                "--web.enable-lifecycle",
            ],
            volumes={project.volume(PROMETHEUS_DATA): "/prometheus"},
            files=_rooted(PROMETHEUS_ROOT, rendered["prometheus"]),
        ),
    ]
    volumes = {project.volume(PROMETHEUS_DATA): project.labels("prometheus")}
    if not options.offline:
        services.append(_service(
            project, options, "grafana", images["grafana"],
            environment=grafana_environment(options.grafana_password),
            volumes={project.volume(GRAFANA_DATA): "/var/lib/grafana"},
            files=_rooted(GRAFANA_ROOT, rendered["grafana"]),
        ))
        volumes[project.volume(GRAFANA_DATA)] = grafana_volume_labels(project, options.grafana_password)
    return StackSpec(project, project.network, volumes, tuple(services))


def grafana_environment(password: str) -> dict[str, str]:
    return {
        "GF_SECURITY_ADMIN_USER": "admin",
        "GF_SECURITY_ADMIN_PASSWORD": password,
        "GF_AUTH_ANONYMOUS_ENABLED": "true",
        "GF_AUTH_ANONYMOUS_ORG_ROLE": "Viewer",
        "GF_PATHS_PROVISIONING": f"{GRAFANA_ROOT}/provisioning",
    }


def grafana_volume_labels(project: Project, password: str) -> dict[str, str]:
    return {**project.labels("grafana"), LABEL_GRAFANA_PASSWORD: password}


def _service(
    project: Project,
    options: StackOptions,
    service: str,
    image: ImageChoice,
    command: list[str] | None = None,
    environment: dict[str, str] | None = None,
    volumes: dict[str, str] | None = None,
    files: dict[str, str] | None = None,
) -> ServiceSpec:
    port = CONTAINER_PORTS[service]
    create = ContainerCreate(
        name=project.resource(service),
        image=image.ref,
        command=command or [],
        environment=environment or {},
        labels={
            **project.labels(service),
            LABEL_MODE: "offline" if options.offline else "online",
            LABEL_BIND: project.bind,
            LABEL_PORT_OFFSET: str(project.port_offset),
        },
        ports={port: (project.bind, project.host_port(service))},
        volumes=volumes or {},
        network=project.network,
        network_alias=service,
    )
    files = files or {}
    digest = _hash(create, image.id, files)
    create = ContainerCreate(**{**asdict(create), "labels": {**create.labels, LABEL_CONFIG_HASH: digest}})
    return ServiceSpec(service, create, files)


def _hash(create: ContainerCreate, image_id: str, files: dict[str, str]) -> str:
    """Everything that makes a container what it is, except the hash label itself."""
    data = {"create": asdict(create), "image_id": image_id, "files": files}
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=list).encode()).hexdigest()[:16]


def _rooted(root: str, files: dict[str, str]) -> dict[str, str]:
    return {f"{root}/{path.lstrip('/')}": text for path, text in files.items()}
