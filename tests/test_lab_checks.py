"""Retry and deadline logic of lab checks, on a fake clock and a scripted Prometheus (no waiting)."""

from __future__ import annotations

import math

import pytest

from lab_fixtures import quiet_view
from monlab.catalog import load_catalog
from monlab.lab.checks import compare
from monlab.lab.context import Mark, RunContext
from monlab.lab.hints import metric_names
from monlab.lab.kinds import KINDS
from monlab.lab.model import load_lab
from monlab.lab.timing import Timing
from monlab.prometheus_api import Sample, Target
from monlab.stackinfo import ServiceInfo, StackInfo
from monlab.waiting import Clock

TIMING = Timing(scrape_interval=5, evaluation_interval=5, poll_interval=1)


class FakeClock:
    def __init__(self) -> None:
        self.t = 0.0

    def clock(self) -> Clock:
        return Clock(now=lambda: self.t, sleep=self.advance)

    def advance(self, seconds: float) -> None:
        self.t += seconds


class ScriptedPrometheus:
    """Answers as a function of the fake time; records every query it was asked."""

    base_url = "http://prometheus.invalid"

    def __init__(self, clock: FakeClock, values=None, alert=None, targets=None, metrics=("up",)) -> None:
        self.clock, self.values, self.alert = clock, values or (lambda expr, t: None), alert or (lambda t: "inactive")
        self._targets = targets or [Target("flask-app", "app:5000", "up", "", "")]
        self.metrics = set(metrics)
        self.asked: list[str] = []

    def answers_ok(self, path: str) -> bool:
        return path in ("/graph", "/targets")  # a Prometheus with the current UI

    def query(self, expr: str) -> list[Sample]:
        self.asked.append(expr)
        if expr.startswith("count({__name__="):
            name = expr.split('"')[1]
            return [Sample({}, 1.0)] if name in self.metrics else []
        value = self.values(expr, self.clock.t)
        return [] if value is None else [Sample({}, value)]

    def query_value(self, expr: str):
        samples = self.query(expr)
        return samples[0].value if samples else None

    def targets(self):
        return self._targets

    def alert_state(self, name: str) -> str:
        return self.alert(self.clock.t)


def context(fake: FakeClock, prometheus: ScriptedPrometheus, section: str = "capacity") -> RunContext:
    catalog = load_catalog()
    info = StackInfo("fake", {"app": ServiceInfo("app", "running", "http://app.invalid")}, mode="offline")
    view, _ = quiet_view()
    return RunContext(load_lab(catalog.section(section), catalog), None, info, prometheus, catalog, view,
                      clock=fake.clock(), timing=TIMING)


def step_params(section: str, kind: str, index: int = 0):
    catalog = load_catalog()
    return [s.params for s in load_lab(catalog.section(section), catalog).steps if s.kind == kind][index]


def context_marked_at_zero(fake, prom, params):
    ctx = context(fake, prom)
    ctx.marks[params["mark"]] = Mark(at=0, samples={params["source"].expr: [Sample({}, 0.0)]})
    return ctx


def test_a_check_passes_as_soon_as_the_value_arrives_and_not_before():
    fake = FakeClock()
    prom = ScriptedPrometheus(fake, values=lambda expr, t: 250.0 if t >= 7 else 120.0)
    params = step_params("capacity", "expect", 1)  # requests-1h grew since "before" by >= 180
    [check] = KINDS["expect"].run(context_marked_at_zero(fake, prom, params), params)
    assert check.passed is True and "250" in check.detail
    assert 7 <= fake.t < 8


def test_a_check_gives_up_at_its_deadline_with_the_last_value_seen():
    fake = FakeClock()
    prom = ScriptedPrometheus(fake, values=lambda expr, t: 120.0 + t)
    params = step_params("capacity", "expect", 1)
    [check] = KINDS["expect"].run(context_marked_at_zero(fake, prom, params), params)
    deadline = TIMING.query_deadline()
    assert check.passed is False
    assert fake.t == pytest.approx(deadline)
    assert f"grew by {120 + deadline:g}" in check.detail and "expected >= 180" in check.detail


def test_a_delta_check_compares_growth_since_the_mark_exactly():
    fake = FakeClock()
    prom = ScriptedPrometheus(fake, values=lambda expr, t: 1000.0 + (200 if t >= 3 else 0))
    ctx = context(fake, prom)
    params = step_params("capacity", "expect", 0)  # raw counter grew by == 200 since "before"
    ctx.marks["before"] = Mark(at=0, samples={params["source"].expr: [Sample({}, 1000.0)]})
    [check] = KINDS["expect"].run(ctx, params)
    assert check.passed is True and "grew by 200" in check.detail

    prom.values = lambda expr, t: 1000.0 + 201  # one request too many is a failure, not "close enough"
    [check] = KINDS["expect"].run(ctx, params)
    assert check.passed is False and "grew by 201" in check.detail


def test_no_data_hints_name_the_cause():
    fake = FakeClock()
    down = [Target("flask-app", "app:5000", "down", 'Get "http://app:5000/metrics": dial tcp: no such host', "")]
    [check] = KINDS["expect"].run(context(fake, ScriptedPrometheus(fake, targets=down)), step_params("capacity", "expect", 1))
    assert check.passed is False and "target down: job flask-app" in check.hint and "no such host" in check.hint

    [check] = KINDS["expect"].run(context(fake, ScriptedPrometheus(fake)), step_params("capacity", "expect", 1))
    assert "metric missing: http_requests_total" in check.hint

    prom = ScriptedPrometheus(fake, metrics=("http_requests_total",))
    [check] = KINDS["expect"].run(context(fake, prom), step_params("capacity", "expect", 1))
    assert "window shorter than two scrapes" in check.hint


def test_alert_deadline_follows_the_alerts_for_and_hints_pending():
    fake = FakeClock()
    alert = load_catalog().alert("HighRequestRate")
    prom = ScriptedPrometheus(fake, alert=lambda t: "pending", values=lambda expr, t: 7.0)
    [check] = KINDS["alert"].run(context(fake, prom), step_params("capacity", "alert", 2))  # firing
    assert check.passed is False
    assert fake.t == pytest.approx(TIMING.alert_deadline(alert.for_seconds))
    assert TIMING.alert_deadline(alert.for_seconds) == TIMING.alert_deadline(0) + alert.for_seconds
    assert "alert still pending" in check.hint


def test_alert_goes_pending_then_firing_within_its_deadline():
    fake = FakeClock()
    prom = ScriptedPrometheus(fake, alert=lambda t: "inactive" if t < 4 else "pending" if t < 16 else "firing")
    ctx = context(fake, prom)
    [pending] = KINDS["alert"].run(ctx, step_params("capacity", "alert", 1))
    [firing] = KINDS["alert"].run(ctx, step_params("capacity", "alert", 2))
    assert pending.passed and firing.passed and 16 <= fake.t < 17


def test_inactive_alert_hint_shows_the_value_against_the_threshold():
    fake = FakeClock()
    prom = ScriptedPrometheus(fake, values=lambda expr, t: 2.5)
    [check] = KINDS["alert"].run(context(fake, prom), step_params("capacity", "alert", 1))
    assert check.passed is False and "is 2.5 (fires when > 5)" in check.hint


def test_grafana_check_is_skipped_with_a_reason_without_grafana_and_never_passes_silently():
    fake = FakeClock()
    ctx = context(fake, ScriptedPrometheus(fake))
    [check] = KINDS["grafana_alert"].run(ctx, step_params("capacity", "grafana_alert"))
    assert check.passed is None and check.detail.startswith("skipped: Grafana is not running")
    states = iter([{"HighRequestRate": "Pending"}, {"HighRequestRate": "Firing"}])
    ctx.grafana_states = lambda: next(states)
    [check] = KINDS["grafana_alert"].run(ctx, step_params("capacity", "grafana_alert"))
    assert check.passed is True and fake.t == 1


def test_figure_checks_do_not_wait():
    fake = FakeClock()
    ctx = context(fake, ScriptedPrometheus(fake), "improvement")
    [params] = [s.params for s in ctx.lab.steps if s.kind == "expect" and s.params["source"].figure == "speedup"]
    ctx.figures["speedup"] = 4.9
    [check] = KINDS["expect"].run(ctx, params)
    assert check.passed is False and fake.t == 0 and "4.9" in check.detail
    ctx.figures["speedup"] = 12.0
    assert KINDS["expect"].run(ctx, params)[0].passed is True


@pytest.mark.parametrize("value, op, target, expected", [
    (1.0, ">", 0.0, True), (0.0, ">", 0.0, False), (100.0, "==", 100.0, True), (12.5 + 20.25 + 67.25, "==", 100, True),
    (100.01, "==", 100.0, False), (None, "<", 1.0, False), (math.nan, "!=", 1.0, False), (5.0, ">=", 5.0, True),
])
def test_compare(value, op, target, expected):
    assert compare(value, op, target) is expected


def test_metric_names_skip_functions_labels_and_grouping():
    assert metric_names('rate(login_attempts_total{status="failure"}[5m])') == ["login_attempts_total"]
    assert metric_names("histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket[1m])))") == [
        "http_request_duration_seconds_bucket"]
    assert metric_names("sum(rate(http_requests_total[1m])) by (endpoint)") == ["http_requests_total"]
