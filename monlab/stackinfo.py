"""What a running stack looks like to its users (labs, status), and what they may do to it.

The stack package implements StackControl on the Docker engine; labs and tests depend only on this.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol


@dataclass(frozen=True)
class ServiceInfo:
    name: str  # "app", "prometheus" or "grafana"
    state: str  # docker's state ("running", "exited", ...) or "missing"
    url: str | None  # on the host, e.g. http://127.0.0.1:5000
    health: str = ""  # docker health status where the container has a healthcheck

    @property
    def running(self) -> bool:
        return self.state == "running"


@dataclass(frozen=True)
class StackInfo:
    project: str
    services: dict[str, ServiceInfo]
    mode: str = "online"  # "online" (Grafana too), "offline" (monlab's own images, no Grafana) or "by-url"
    grafana_user: str = "admin"
    grafana_password: str | None = None
    notes: list[str] = field(default_factory=list)  # e.g. "Grafana is unavailable offline"
    up_command: str = "monlab up"  # with the options the stack was made with, for hints
    status_command: str = "monlab status"
    repair_hint: str = ""  # what to do when it is not usable; "" means `monlab up`

    def url(self, service: str) -> str | None:
        info = self.services.get(service)
        return info.url if info else None

    @property
    def expects_grafana(self) -> bool:
        """This stack is meant to have a Grafana (it may be stopped or missing)."""
        return "grafana" in self.services

    @property
    def has_grafana(self) -> bool:
        info = self.services.get("grafana")
        return bool(info and info.running)


class StackControl(Protocol):
    def info(self) -> StackInfo: ...

    def stop_service(self, service: str) -> None: ...

    def start_service(self, service: str) -> None:
        """Start a stopped service and return once its container runs (not necessarily ready)."""

    def redeploy_app(self, source_dir: Path | None = None) -> bool:
        """Rebuild the app image from `source_dir` (None: the lecture's app), recreate only the app
        container, and return once it answers HTTP. Prometheus and its history are untouched.
        False when the app already ran that image and nothing was recreated."""
