"""What is on the engine for one project: its containers' labels, port bindings and networks, and
for convergence the files inside them, read back and compared with the render."""

from __future__ import annotations

import hashlib

from monlab.docker_runtime import ContainerRecord, DockerRuntime
from monlab.errors import MonlabError
from monlab.image_refs import decode_overrides
from monlab.project import CONTAINER_PORTS, LABEL_CONFIG_HASH, LABEL_SERVICE, SERVICES, Project, http_url, status_command, up_command
from monlab.stack.plan import HOLDS_PORTS, Observed
from monlab.stack.spec import (
    GRAFANA_DATA,
    GRAFANA_OFFLINE_NOTE,
    LABEL_BIND,
    LABEL_GRAFANA_PASSWORD,
    LABEL_IMAGE_OVERRIDES,
    LABEL_MODE,
    LABEL_PORT_OFFSET,
    ServiceSpec,
    StackSpec,
)
from monlab.stackinfo import ServiceInfo, StackInfo


class StackMissing(MonlabError):
    """No container carries this project's label."""


def containers_by_service(records: list[ContainerRecord]) -> dict[str, ContainerRecord]:
    """One container per service, a running one where there are several."""
    chosen: dict[str, ContainerRecord] = {}
    for record in sorted(records, key=lambda r: r.state == "running"):
        chosen[record.labels.get(LABEL_SERVICE, "")] = record
    return chosen


def for_plan(runtime: DockerRuntime, records: list[ContainerRecord], spec: StackSpec) -> list[Observed]:
    """Each container as the plan sees it; the files of a container whose hash label matches are
    read back (a crash between creating it and uploading them leaves the label lying)."""
    network_id = runtime.network_id(spec.network) or ""
    observed = []
    for record in records:
        wanted = next((s for s in spec.services if s.service == record.labels.get(LABEL_SERVICE)), None)
        trusted = wanted is not None and wanted.files and record.labels.get(LABEL_CONFIG_HASH) == wanted.config_hash
        found = runtime.read_files(record.id, sorted(wanted.files)) if trusted else None
        observed.append(observation(record, wanted, network_id, found))
    return observed


def observation(record: ContainerRecord, wanted: ServiceSpec | None, network_id: str,
                files_found: dict[str, bytes | None] | None) -> Observed:
    """What the plan needs of one container (pure); `files_found` None when they were not read."""
    service, config_hash = record.labels.get(LABEL_SERVICE, ""), record.labels.get(LABEL_CONFIG_HASH, "")
    if wanted is None:
        return Observed(record.id, service, record.state, config_hash)
    return Observed(
        record.id, service, record.state, config_hash,
        attached=attached(record, network_id, wanted.create.network),
        files_match=files_found is None or same_files(wanted.files, files_found),
        named=record.name == wanted.create.name,
    )


def attached(record: ContainerRecord, network_id: str, network: str) -> bool:
    """On the project's network, by id. A container never started has no endpoint yet (its NetworkID
    is empty): it joins the network of that name when it starts."""
    if not network_id:
        return False
    if record.state == "created" and network in record.networks and not record.networks[network]:
        return True
    return network_id in record.networks.values()


def same_files(wanted: dict[str, str], found: dict[str, bytes | None]) -> bool:
    """Every rendered file is there with the render's content, compared by digest."""
    return all(
        found.get(path) is not None and _digest(found[path]) == _digest(text.encode())
        for path, text in wanted.items()
    )


def _digest(data: bytes | None) -> str:
    return hashlib.sha256(data or b"").hexdigest()


def held_ports(records: list[ContainerRecord]) -> set[int]:
    return {port for r in records if r.state in HOLDS_PORTS for _, port in r.ports.values()}


def require_containers(runtime: DockerRuntime, project_name: str) -> list[ContainerRecord]:
    records = runtime.containers(Project(project_name).label_filter)
    if not records:
        raise StackMissing(f"Project {project_name!r} has no containers", f"Start it with `{up_command(Project(project_name), False)}`.")
    return records


def project_settings(records: list[ContainerRecord], project_name: str) -> tuple[Project, bool]:
    """The Project (bind, port offset) and offline flag the stack was started with, from its labels."""
    labels = records[0].labels
    project = Project(project_name, labels.get(LABEL_BIND, "127.0.0.1"), int(labels.get(LABEL_PORT_OFFSET, "0")))
    return project, labels.get(LABEL_MODE) == "offline"


def project_for_up(records: list[ContainerRecord], name: str, bind: str | None, port_offset: int | None) -> Project:
    """The Project an `up` makes: what the options say, and for what they leave out, the running
    stack's own bind and port offset (as a stack keeps its mode), else the defaults."""
    recorded = project_settings(records, name)[0] if records else Project(name)
    return Project(name, recorded.bind if bind is None else bind,
                   recorded.port_offset if port_offset is None else port_offset)


def image_overrides(records: list[ContainerRecord]) -> dict[str, str]:
    """The `--image` overrides the stack was made with, from its labels."""
    return decode_overrides(next((r.labels[LABEL_IMAGE_OVERRIDES] for r in records if r.labels.get(LABEL_IMAGE_OVERRIDES)), ""))


def repeat_up(records: list[ContainerRecord], project_name: str) -> str:
    """The `monlab up …` that makes this stack again as it was made: what hints tell a user to copy."""
    project, offline = project_settings(records, project_name)
    return up_command(project, offline, image_overrides(records))


def stack_info(runtime: DockerRuntime, project_name: str) -> StackInfo:
    records = require_containers(runtime, project_name)
    project, offline = project_settings(records, project_name)
    found = containers_by_service(records)
    services = {}
    for service in SERVICES:
        if offline and service == "grafana":
            continue
        record = found.get(service)
        services[service] = ServiceInfo(
            name=service,
            state=record.state if record else "missing",
            url=service_url(record, service) if record else None,
            health=record.health if record and record.state == "running" else "",  # a stopped one's is stale
        )
    return StackInfo(
        project=project_name,
        services=services,
        mode="offline" if offline else "online",
        grafana_password=None if offline else grafana_password(runtime, project),
        notes=[GRAFANA_OFFLINE_NOTE] if offline else [],
        up_command=repeat_up(records, project_name),
        status_command=status_command(project_name),
    )


def service_url(record: ContainerRecord, service: str) -> str | None:
    bound = record.ports.get(CONTAINER_PORTS[service])
    return http_url(bound[0], bound[1]) if bound else None


def grafana_password(runtime: DockerRuntime, project: Project) -> str | None:
    name = project.volume(GRAFANA_DATA)
    for volume in runtime.volumes(project.label_filter):
        if volume.name == name:
            return volume.labels.get(LABEL_GRAFANA_PASSWORD)
    return None
