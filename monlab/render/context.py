"""What rendering needs to know about one stack, and the fixed names its files refer to each other by."""

from __future__ import annotations

from dataclasses import dataclass

from monlab.catalog import parse_duration
from monlab.errors import ConfigError
from monlab.project import APP_METRICS_PORT, DEFAULT_PROJECT

DATASOURCE_UID = "monlab-prometheus"
DASHBOARD_UID = "monlab-lecture"
DASHBOARD_TITLE = "DevOps Monitoring Lecture"
GRAFANA_FOLDER = "monlab"

# Grafana evaluates rule groups on multiples of its base interval (10 s, `min_interval`).
GRAFANA_BASE_INTERVAL_SECONDS = 10


@dataclass(frozen=True)
class RenderContext:
    project: str = DEFAULT_PROJECT
    app_target: str = f"app:{APP_METRICS_PORT}"  # host:port Prometheus scrapes, by service name on the stack network
    prometheus_url: str = "http://prometheus:9090"  # as Grafana's backend reaches it
    grafana_url: str = "http://127.0.0.1:3000"  # as a user's browser reaches it (alert annotations)
    scrape_interval: str = "1s"
    scrape_timeout: str = "1s"
    evaluation_interval: str = "1s"
    grafana_rule_interval: str = "10s"
    datasource_uid: str = DATASOURCE_UID
    retired_rule_uids: tuple[str, ...] = ()  # Grafana rules provisioned before; those not in the catalog are deleted

    def __post_init__(self) -> None:
        for name in ("scrape_interval", "scrape_timeout", "evaluation_interval", "grafana_rule_interval"):
            _check_duration(name, getattr(self, name))
        if parse_duration(self.scrape_timeout) > parse_duration(self.scrape_interval):
            raise ConfigError(
                f"Scrape timeout {self.scrape_timeout} is longer than the scrape interval {self.scrape_interval}",
                "Prometheus refuses that; use a timeout no longer than the interval.",
            )
        rule_seconds = parse_duration(self.grafana_rule_interval)
        if rule_seconds % GRAFANA_BASE_INTERVAL_SECONDS:
            raise ConfigError(
                f"Grafana rule interval {self.grafana_rule_interval} is not a multiple of {GRAFANA_BASE_INTERVAL_SECONDS}s",
                "Grafana rejects such rule groups; use 10s, 20s, 1m, ...",
            )
        if ":" not in self.app_target:
            raise ConfigError(f"App target {self.app_target!r} has no port", "Write it as host:port, e.g. app:5000.")


def _check_duration(name: str, value: str) -> None:
    try:
        seconds = parse_duration(value)
    except ValueError as exc:
        raise ConfigError(f"{name.replace('_', ' ').capitalize()}: {exc}") from exc
    if seconds <= 0:
        raise ConfigError(f"{name.replace('_', ' ').capitalize()} must be longer than 0s, got {value!r}")
