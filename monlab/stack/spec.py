"""The desired state of one stack as plain data: a pure function of the project, the rendered
config, the images and the options. Nothing here talks to Docker."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING

from monlab.container_spec import ContainerCreate
from monlab.image_refs import encode_overrides
from monlab.project import CONTAINER_PORTS, LABEL_CONFIG_HASH, Project
from monlab.stack.exposure import url_for_others

if TYPE_CHECKING:
    from monlab.catalog import Catalog

# Settings of the stack kept on its containers, so `status` and labs can find them again.
LABEL_MODE = "monlab.mode"  # "online" or "offline"
LABEL_BIND = "monlab.bind"
LABEL_PORT_OFFSET = "monlab.port-offset"
LABEL_GRAFANA_PASSWORD = "monlab.grafana-password"  # on the Grafana data volume: Grafana keeps its first password
LABEL_APP_BASE = "monlab.app-base"  # on the app: the base it was built on, so a lab's redeploy uses the same
# On Grafana and Prometheus: every Grafana rule uid ever provisioned, so dropped ones get deleted. Prometheus
# carries it too (its rule files change with the catalog anyway), so it outlives an offline spell.
LABEL_GRAFANA_RULES = "monlab.grafana-rules"
# On the app image monlab builds: the exact reference it was built as. Teardown removes only the image at
# that reference carrying it; images a student builds FROM it inherit labels but live at other references.
LABEL_BUILT_AS = "monlab.built-as"
# On every container of an online stack made with `--image`/MONLAB_IMAGE_* overrides: "key=ref,…", so
# hints can give back the exact `monlab up` and a lab's redeploy uses the same images.
LABEL_IMAGE_OVERRIDES = "monlab.image-overrides"

PROMETHEUS_ROOT = "/etc/prometheus"
GRAFANA_ROOT = "/etc/grafana"
# Prometheus 3 (online) writes a TSDB that Debian's Prometheus 2.42 (offline) cannot read, and 2.42
# must never open it: each mode keeps its own history in its own volume. The offline name is the one
# stacks had before the online path existed, so their history stays.
PROMETHEUS_DATA = {"offline": "prometheus-data", "online": "prometheus-v3-data"}
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
    grafana_rule_uids: tuple[str, ...] = ()  # the catalog's and every earlier one's (LABEL_GRAFANA_RULES)
    image_overrides: str = ""  # encoded "key=ref,…" (LABEL_IMAGE_OVERRIDES); never set offline
    public_host: str = ""  # this machine's address, for the links Grafana builds when bound to all interfaces

    @property
    def mode(self) -> str:
        return "offline" if self.offline else "online"


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


def stack_spec(
    project: Project,
    offline: bool,
    images: dict[str, ImageChoice],
    password: str,
    provisioned: tuple[str, ...] = (),
    catalog: Catalog | None = None,
    image_overrides: dict[str, str] | None = None,
    public_host: str = "",
) -> StackSpec:
    """The stack `up` converges to (pure): also what `monlab export` writes as Compose or Kubernetes.
    `public_host`: where other machines reach this one, for a stack bound to all interfaces."""
    from monlab.catalog import load_catalog
    from monlab.render import RenderContext, render_stack, require_sound_grafana

    catalog = catalog or load_catalog()
    rendered = render_stack(
        RenderContext(project=project.name, grafana_url=grafana_public_url(project, public_host),
                      retired_rule_uids=provisioned),
        catalog,
    )
    if not offline:
        require_sound_grafana(rendered["grafana"])
    rule_uids = tuple(sorted(set(provisioned) | {alert.uid for alert in catalog.alerts}))
    options = StackOptions(offline=offline, grafana_password=password, grafana_rule_uids=rule_uids,
                           image_overrides=encode_overrides(image_overrides or {}), public_host=public_host)
    return desired_stack(project, rendered, images, options)


def grafana_public_url(project: Project, public_host: str) -> str:
    """Grafana's URL as the links it builds (and the alerts' dashboard links) must say it: on
    `public_host` when bound to all interfaces, where the loopback URL works only on this machine."""
    return url_for_others(project.host_url("grafana"), project.bind, public_host) if public_host else project.host_url("grafana")


def desired_stack(
    project: Project,
    rendered: dict[str, dict[str, str]],
    images: dict[str, ImageChoice],
    options: StackOptions,
) -> StackSpec:
    """`rendered` as render_stack returns it; `images` per service (app, prometheus, grafana)."""
    prometheus_data = project.volume(PROMETHEUS_DATA[options.mode])
    base = images.get("app-base")
    rule_uids = {LABEL_GRAFANA_RULES: ",".join(options.grafana_rule_uids)}
    services = [
        _service(project, options, "app", images["app"], labels={LABEL_APP_BASE: base.ref} if base else None),
        _service(
            project, options, "prometheus", images["prometheus"],
            # No --web.enable-lifecycle: it adds an unauthenticated POST /-/quit, and monlab applies a
            # new config by recreating the container, never by /-/reload.
            command=[
                f"--config.file={PROMETHEUS_ROOT}/prometheus.yml",
                "--storage.tsdb.path=/prometheus",
                f"--storage.tsdb.retention.time={options.retention}",
            ],
            volumes={prometheus_data: "/prometheus"},
            files=_rooted(PROMETHEUS_ROOT, rendered["prometheus"]),
            labels=rule_uids,
        ),
    ]
    volumes = {prometheus_data: {**project.labels("prometheus"), LABEL_MODE: options.mode}}
    if not options.offline:
        services.append(_service(
            project, options, "grafana", images["grafana"],
            environment=grafana_environment(options.grafana_password, f"{grafana_public_url(project, options.public_host)}/"),
            volumes={project.volume(GRAFANA_DATA): "/var/lib/grafana"},
            files=_rooted(GRAFANA_ROOT, rendered["grafana"]),
            labels=rule_uids,
        ))
        volumes[project.volume(GRAFANA_DATA)] = grafana_volume_labels(project, options.grafana_password)
    return StackSpec(project, project.network, volumes, tuple(services))


def app_build_labels(project: Project) -> dict[str, str]:
    """The labels monlab sets on the app image it builds (`up`, and Compose from an export)."""
    return {**project.labels("app"), LABEL_BUILT_AS: project.app_image}


def grafana_environment(password: str, root_url: str) -> dict[str, str]:
    return {
        # The links Grafana builds itself (alert notifications, share links) point where it really is.
        "GF_SERVER_ROOT_URL": root_url,
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
    labels: dict[str, str] | None = None,
) -> ServiceSpec:
    port = CONTAINER_PORTS[service]
    create = ContainerCreate(
        name=project.resource(service),
        image=image.ref,
        command=command or [],
        environment=environment or {},
        labels={
            **project.labels(service),
            LABEL_MODE: options.mode,
            LABEL_BIND: project.bind,
            LABEL_PORT_OFFSET: str(project.port_offset),
            **({LABEL_IMAGE_OVERRIDES: options.image_overrides} if options.image_overrides else {}),
            **(labels or {}),
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
