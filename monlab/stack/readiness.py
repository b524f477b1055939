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
HEALTH_TIMEOUT_S = 30.0  # the app image checks every 2 s after a 5 s start period
# Target health in the targets API is what this Prometheus process scraped; the value of `up` is not:
# a new container on the same data volume still answers the previous one's samples for 5 minutes.
APP_SCRAPED = f"target {APP_JOB} up in /api/v1/targets"


class ContainerView(Protocol):
    def container(self, container_id: str): ...

    def logs_tail(self, container_id: str, lines: int = 10) -> list[str]: ...


@dataclass(frozen=True)
class ReadinessCheck:
    service: str
    what: str  # "Prometheus ready", "first scrape of the app", ...
    probe: Callable[[], bool]
    timeout: float
    missing: Callable[[], str] | None = None  # what the last probe still lacked, for the timeout message
    broken: Callable[[], str] | None = None  # a fault waiting will not mend: stop at once, naming it


def wait_ready(
    runtime: ContainerView,
    containers: dict[str, str],
    checks: list[ReadinessCheck],
    clock: Clock = REAL_CLOCK,
    interval: float = 0.25,  # a redeploy in a lab waits for this too; a probe costs a few ms
    watch_health: bool = True,
) -> None:
    """Run `checks` in order, then wait for the engine's healthchecks (where it runs them);
    `containers` maps service -> container id (watched while waiting)."""
    for check in checks + (health_checks(runtime, containers) if watch_health else []):

        def probe(check: ReadinessCheck = check) -> Outcome[None]:
            _raise_if_exited(runtime, containers)
            done = _safely(check.probe)
            fault = check.broken() if check.broken else ""
            if fault:
                raise unhealthy(f"{check.service} is broken: {fault}", runtime, check.service, containers.get(check.service))
            return Outcome(done)

        if not poll(probe, check.timeout, interval, clock).done:
            lacking = f"; still missing: {check.missing()}" if check.missing and check.missing() else ""
            raise unhealthy(
                f"{check.service} did not become ready within {check.timeout:.0f} s (waiting for: {check.what}{lacking})",
                runtime, check.service, containers.get(check.service),
            )


@dataclass(frozen=True)
class GrafanaExpected:
    """What a provisioned Grafana has: since Grafana 12 /api/health is ok before file provisioning
    has run (pkg/services/provisioning/provisioning.go runs after the HTTP server starts)."""

    password: str
    datasource_uid: str
    dashboard_uid: str
    rule_uids: frozenset[str]
    container: str = "<project>-grafana"  # named in the hint on resetting a password Grafana refuses


def default_checks(urls: dict[str, str], grafana: GrafanaExpected | None) -> list[ReadinessCheck]:
    from monlab.grafana_api import GrafanaAPI
    from monlab.prometheus_api import PrometheusAPI

    prometheus = PrometheusAPI(urls["prometheus"], timeout=2.0)
    checks = [
        ReadinessCheck("prometheus", "Prometheus /-/ready", prometheus.is_ready, 60),
        ReadinessCheck("app", f"a successful scrape, {APP_SCRAPED}", lambda: _scraped(prometheus), 60),
    ]
    if grafana:
        api = GrafanaAPI(urls["grafana"], password=grafana.password, timeout=2.0)
        provisioned = ProvisioningProbe(api, grafana)
        checks += [
            ReadinessCheck("grafana", "Grafana /api/health", api.is_healthy, 180),
            ReadinessCheck("grafana", "Grafana's provisioning: datasource, dashboard, alert rules", provisioned, 120,
                           missing=lambda: provisioned.missing, broken=lambda: provisioned.broken),
        ]
    return checks


class ProvisioningProbe:
    """True once the datasource answers Grafana's health check, the dashboard exists by uid and every
    expected alert rule is loaded and evaluated once without error; `missing` names what the last look lacked, `broken` a rule Grafana
    failed to evaluate twice in a row (it provisions a rule whose datasource uid names nothing, and
    reports the error only when evaluating it: pkg/services/ngalert/eval). One failed evaluation may
    be a Prometheus still starting; two are not."""

    FAILED_EVALUATIONS = 2

    def __init__(self, api, expected: GrafanaExpected) -> None:
        self.api, self.expected = api, expected
        self.missing = "not looked at yet"
        self.broken = ""
        self._failed: dict[str, set[str]] = {}  # rule -> evaluation times that failed, since its last success

    def __call__(self) -> bool:
        from monlab.grafana_api import LoginRefused

        try:
            self.missing = "; ".join(self._lacking())
        except LoginRefused as error:  # never asked twice: Grafana locks the account after a few refusals
            self.missing = self.broken = (
                f"{error.message}: its admin password is not the one monlab set (changed in Grafana, or an old "
                f"volume); set it back with `docker exec -it {self.expected.container} grafana cli admin reset-admin-password "
                "PASSWORD`, PASSWORD being the one `monlab status` shows")
        except MonlabError as error:
            self.missing = error.message
        return not self.missing

    def _lacking(self) -> list[str]:
        expected, lacking = self.expected, []
        healthy, message = self.api.datasource_health(expected.datasource_uid)
        if not healthy:
            lacking.append(f"a healthy datasource {expected.datasource_uid} ({message})")
        if not self.api.has_dashboard(expected.dashboard_uid):
            lacking.append(f"the dashboard {expected.dashboard_uid}")
        absent = sorted(expected.rule_uids - self.api.provisioned_rule_uids())
        if absent:
            lacking.append(f"{len(absent)} alert rule(s) {', '.join(absent)}")
        rules = self.api.alert_rules()
        self.broken = "; ".join(
            f"alert rule {rule.name!r} fails to evaluate ({rule.last_error})" for rule in self._failing_again(rules))
        unevaluated = sorted(rule.name for rule in rules if not rule.evaluated_fine)
        if unevaluated:
            lacking.append(f"a first good evaluation of {', '.join(unevaluated)}")
        return lacking

    def _failing_again(self, rules: list) -> list:
        failing = []
        for rule in rules:
            if rule.health != "error":
                self._failed.pop(rule.name, None)
                continue
            seen = self._failed.setdefault(rule.name, set())
            seen.add(rule.last_evaluation)
            if len(seen) >= self.FAILED_EVALUATIONS:
                failing.append(rule)
        return failing


def app_answers_check(app_url: str, timeout: float = 60) -> ReadinessCheck:
    return ReadinessCheck("app", f"an HTTP answer from {app_url}/healthz", lambda: app_answers(app_url), timeout)


def _scraped(prometheus) -> bool:
    return any(target.job == APP_JOB and target.health == "up" for target in prometheus.targets())


def app_answers(base_url: str) -> bool:
    """The lab app serves requests: its /healthz answers 200."""
    try:
        return httpx.get(f"{base_url.rstrip('/')}/healthz", timeout=2.0).status_code == 200
    except httpx.HTTPError:
        return False


def health_checks(runtime: ContainerView, containers: dict[str, str]) -> list[ReadinessCheck]:
    """A container with a healthcheck counts once Docker calls it healthy, so `up` never says ready
    while its table (and `status`) shows the health still `starting`."""
    checked_before = {cid: runtime.container(cid).health_checked for cid in containers.values()}

    def healthy(cid: str) -> bool:
        return runtime.container(cid).health in ("", "healthy")

    def failing(cid: str) -> str:
        """Unhealthy by a check run during this wait; an older verdict (a container paused until a
        moment ago is `unhealthy` until its next check) is waited out."""
        record = runtime.container(cid)
        checked_now = record.health_checked != checked_before[cid]
        return "its healthcheck reports unhealthy" if record.health == "unhealthy" and checked_now else ""

    return [ReadinessCheck(service, "Docker's healthcheck to report healthy", lambda cid=cid: healthy(cid),
                           HEALTH_TIMEOUT_S, broken=lambda cid=cid: failing(cid))
            for service, cid in containers.items()]


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
