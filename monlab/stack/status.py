"""`monlab status`: the services from the engine, the scrape targets from Prometheus."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from monlab.docker_runtime import DockerRuntime
from monlab.errors import MonlabError
from monlab.prometheus_api import PrometheusAPI, Target
from monlab.stack.observed import stack_info
from monlab.stackinfo import StackInfo


@dataclass(frozen=True)
class StatusReport:
    info: StackInfo
    targets: list[Target] = field(default_factory=list)
    targets_error: str = ""  # why there are no targets to show


def stack_status(
    runtime: DockerRuntime, project_name: str, prometheus: Callable[[str], PrometheusAPI] = PrometheusAPI
) -> StatusReport:
    info = stack_info(runtime, project_name)
    url = info.url("prometheus")
    if not (url and info.services["prometheus"].running):
        return StatusReport(info, targets_error="Prometheus is not running")
    try:
        with prometheus(url) as api:
            return StatusReport(info, api.targets())
    except MonlabError as error:
        return StatusReport(info, targets_error=error.message)


def as_json(report: StatusReport) -> dict:
    info = report.info
    return {
        "project": info.project,
        "offline": info.mode == "offline",
        "services": {
            name: {"state": s.state, "health": s.health, "url": s.url} for name, s in info.services.items()
        },
        "grafana": _grafana_login(info),
        "targets": [
            {"job": t.job, "instance": t.instance, "health": t.health, "last_error": t.last_error}
            for t in report.targets
        ],
        "targets_error": report.targets_error,
        "notes": info.notes,
    }


def _grafana_login(info: StackInfo) -> dict | None:
    if not info.expects_grafana or not info.grafana_password:
        return None
    return {"url": info.url("grafana"), "user": info.grafana_user, "password": info.grafana_password}
