"""Where the dashboard reads from: the stack's Prometheus (and Grafana when it runs), found like
every other command finds them, or a Prometheus URL given directly."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from monlab.errors import MonlabError
from monlab.prometheus_api import PrometheusAPI

QUERY_TIMEOUT = 3.0


@dataclass
class Source:
    name: str  # the project, or the URL given
    prometheus: PrometheusAPI
    grafana_states: Callable[[], dict[str, str]] | None = None

    def close(self) -> None:
        self.prometheus.close()


def stack_source(project: str) -> Source:
    """The running stack's Prometheus; MonlabError (exit 3) when there is none to ask."""
    from monlab.docker_runtime import connect
    from monlab.stack.observed import stack_info

    info = stack_info(connect(), project)
    prometheus = info.services.get("prometheus")
    if prometheus is None or not prometheus.running or not prometheus.url:
        state = prometheus.state if prometheus else "missing"
        raise MonlabError(f"The stack {project!r} is not running (its Prometheus is {state})",
                          f"Start it with `monlab up --project {project}`.")
    grafana_states = None
    if info.has_grafana and info.url("grafana"):
        from monlab.grafana_api import GrafanaAPI

        grafana = GrafanaAPI(info.url("grafana") or "", info.grafana_user, info.grafana_password or "",
                             timeout=QUERY_TIMEOUT)
        grafana_states = grafana.alert_rule_states
    return Source(project, PrometheusAPI(prometheus.url, timeout=QUERY_TIMEOUT), grafana_states)


def url_source(url: str) -> Source:
    return Source(url, PrometheusAPI(url, timeout=QUERY_TIMEOUT))


def open_source(project: str, prometheus_url: str | None) -> Source:
    return url_source(prometheus_url) if prometheus_url else stack_source(project)
