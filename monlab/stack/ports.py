"""Host ports the stack publishes: checked before anything starts, so a busy port is one clear error."""

from __future__ import annotations

from typing import Callable, Iterable

from monlab.bind_probe import port_is_free, require_local_address
from monlab.errors import PortInUse
from monlab.project import Project

PortProbe = Callable[[str, int], bool]


def check_ports(
    project: Project,
    services: Iterable[str],
    held_by_project: set[int],
    is_free: PortProbe = port_is_free,
) -> None:
    """Raise PortInUse for the first port `services` need that is taken by anything but this
    project's own running containers (`held_by_project`); ConfigError for a --bind address that is
    not this machine's, which would otherwise look like every port being taken."""
    require_local_address(project.bind)
    for service in services:
        port = project.host_port(service)
        if port in held_by_project or is_free(project.bind, port):
            continue
        raise PortInUse(
            f"Port {port} on {project.bind} (for {service}) is already in use",
            f"Free it, or pick other ports with `--port-offset` (e.g. `--port-offset {_suggested_offset(project)}`).",
        )


def _suggested_offset(project: Project) -> int:
    return project.port_offset + 10000 if project.port_offset < 40000 else 0
