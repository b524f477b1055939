"""Waiting until a stack is usable, through the one polling loop. A container that exits, or a
check that times out, becomes ServiceUnhealthy carrying that container's last log lines."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Protocol

import httpx

from monlab.errors import MonlabError, ServiceUnhealthy
from monlab.project import APP_JOB
from monlab.waiting import REAL_CLOCK, Clock, Outcome, poll

LOG_LINES = 10
APP_SCRAPED = f'up{{job="{APP_JOB}"}} == 1'


class ContainerView(Protocol):
    def container(self, container_id: str): ...

    def logs_tail(self, container_id: str, lines: int = 10) -> list[str]: ...


@dataclass(frozen=True)
class ReadinessCheck:
    service: str
    what: str  # "Prometheus ready", "first scrape of the app", ...
    probe: Callable[[], bool]
    timeout: float


def wait_ready(
    runtime: ContainerView,
    containers: dict[str, str],
    checks: list[ReadinessCheck],
    clock: Clock = REAL_CLOCK,
    interval: float = 1.0,
) -> None:
    """Run `checks` in order; `containers` maps service -> container id (watched while waiting)."""
    for check in checks:

        def probe(check: ReadinessCheck = check) -> Outcome[None]:
            _raise_if_exited(runtime, containers)
            return Outcome(_safely(check.probe))

        if not poll(probe, check.timeout, interval, clock).done:
            raise unhealthy(
                f"{check.service} did not become ready within {check.timeout:.0f} s (waiting for: {check.what})",
                runtime, check.service, containers.get(check.service),
            )


def default_checks(urls: dict[str, str], with_grafana: bool) -> list[ReadinessCheck]:
    from monlab.grafana_api import GrafanaAPI
    from monlab.prometheus_api import PrometheusAPI

    prometheus = PrometheusAPI(urls["prometheus"], timeout=2.0)
    checks = [
        ReadinessCheck("prometheus", "Prometheus /-/ready", prometheus.is_ready, 60),
        ReadinessCheck("app", f"a successful scrape, {APP_SCRAPED}", lambda: _scraped(prometheus), 60),
    ]
    if with_grafana:
        grafana = GrafanaAPI(urls["grafana"], timeout=2.0)
        checks.append(ReadinessCheck("grafana", "Grafana /api/health", grafana.is_healthy, 180))
    return checks


def app_answers_check(app_url: str, timeout: float = 60) -> ReadinessCheck:
    return ReadinessCheck("app", f"an HTTP answer from {app_url}/healthz", lambda: app_answers(app_url), timeout)


def _scraped(prometheus) -> bool:
    return prometheus.query_value(APP_SCRAPED) is not None


def app_answers(base_url: str) -> bool:
    """The lab app serves requests: its /healthz answers 200."""
    try:
        return httpx.get(f"{base_url.rstrip('/')}/healthz", timeout=2.0).status_code == 200
    except httpx.HTTPError:
        return False


def _safely(probe: Callable[[], bool]) -> bool:
    try:
        return bool(probe())
    except MonlabError:
        return False


def _raise_if_exited(runtime: ContainerView, containers: dict[str, str]) -> None:
    for service, cid in containers.items():
        record = runtime.container(cid)
        if record.state not in ("running", "created", "restarting"):
            raise unhealthy(
                f"The {service} container {record.name} stopped ({record.state}, exit code {record.exit_code})",
                runtime, service, cid,
            )


def unhealthy(message: str, runtime: ContainerView, service: str, container_id: str | None) -> ServiceUnhealthy:
    """The error, with the container's last log lines in its hint and in `log_lines`."""
    lines = [line.strip() for line in runtime.logs_tail(container_id, LOG_LINES)] if container_id else []
    hint = f"Last log lines of {service}: " + " | ".join(lines) if lines else f"{service} wrote no log lines."
    error = ServiceUnhealthy(message, hint)
    error.log_lines = lines
    return error
