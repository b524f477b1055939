"""Host ports the stack publishes: checked before anything starts, so a busy port is one clear error."""

from __future__ import annotations

import socket
from typing import Callable, Iterable

from monlab.errors import PortInUse
from monlab.project import Project

PortProbe = Callable[[str, int], bool]


def port_is_free(bind: str, port: int) -> bool:
    family = socket.AF_INET6 if ":" in bind else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        # Like a server would: a port whose old connections linger in TIME_WAIT is free.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((bind, port))
        except OSError:
            return False
    return True


def check_ports(
    project: Project,
    services: Iterable[str],
    held_by_project: set[int],
    is_free: PortProbe = port_is_free,
) -> None:
    """Raise PortInUse for the first port `services` need that is taken by anything but this
    project's own running containers (`held_by_project`)."""
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
