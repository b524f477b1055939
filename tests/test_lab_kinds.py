"""Step kinds and whole sections against real processes: the lab app under gunicorn, Debian's
prometheus scraping it every second with the catalog's alert rules, and LocalStack (a StackControl
that stops, starts and redeploys the app process for real)."""

from __future__ import annotations

import shutil
import time
from dataclasses import replace

import httpx
import pytest

from lab_fixtures import FAST, LocalStack, custom, failures, local_stack, quiet_view, run
from test_grafana_api import PASSWORD, grafana_url  # noqa: F401 (a fixture: the fake Grafana)
from monlab.catalog import load_catalog
from monlab.lab.model import load_lab
from monlab.resources import labs_dir
from monlab.waiting import Outcome, poll
from monlab_cli import monlab

pytestmark = pytest.mark.prometheus


@pytest.fixture(scope="module")
def stack(prometheus_binary, tmp_path_factory):
    with local_stack(prometheus_binary, tmp_path_factory.mktemp("lab-kinds")) as running:
        yield running


def shipped(name: str):
    catalog = load_catalog()
    return load_lab(catalog.section(name), catalog), catalog


def test_business_section_passes_twice_with_exact_revenue(stack):
    for _ in range(2):  # a second run gives the same verdict: it checks growth since its own mark
        result, out = run(stack, shipped("business"))
        assert result.passed, failures(result)
    assert result.figures["revenue_last_hour"] >= 200  # two runs' purchases, increase() never below them
    assert "✓ revenue grew by exactly 100.00" in out and "grew by 100 since before" in out


def test_a_wrong_expectation_fails_with_the_real_value_and_is_a_result(stack, tmp_path):
    result, out = run(stack, custom(tmp_path, "business", """\
        - mark: before
        - traffic: {path: /purchase, data: {amount: "2.5"}, count: 4, concurrency: 2, expect_status: 200}
        - expect: {panel: revenue-total, delta_from: before, op: "==", value: 11, within: 4}
        """))
    [check] = [c for c in result.checks if c.failed]
    assert "grew by 10 since before (expected == 11)" in check.detail
    assert not result.passed and "✗" in out


def test_security_section_passes_and_the_alert_fires(stack):
    result, out = run(stack, shipped("security"))
    assert result.passed, failures(result)
    assert "FailedLoginBurst is firing in Prometheus" in [c.name for c in result.checks if c.passed]
    skipped = [c for c in result.checks if c.skipped]
    assert skipped and all("Grafana" in c.detail for c in skipped)


FAST_REQUESTS = 3000  # 30 fast requests to each of the lecture load's 100: its 5 % slowest would all be fast ones


def test_performance_section_measures_its_load_alone_after_other_traffic(stack):
    """The panels average over a minute: run right after a section of fast traffic (§9 then §5, or
    `lab all` twice), §5 showed a p95 of 86 ms for the lecture's load and HighLatency never fired.
    The section waits for a minute with no other requests first."""
    sent = monlab("load", "/", "-n", str(FAST_REQUESTS), "-c", "8", "--url", stack.app_url)
    assert sent.returncode == 0, sent.stderr
    result, out = run(stack, shipped("performance"))
    assert result.passed, failures(result)
    quiet = result.checks[0]
    assert quiet.name == "no other requests in the last 1m" and quiet.passed and "; waited " in quiet.detail
    figures = result.figures
    assert 0 < figures["avg_latency_s"] <= figures["client_p95_latency_s"]
    assert figures["p95_latency_s"] > 0.1 and figures["request_rate"] > 0  # the load's own, as HighLatency sees it
    assert "graph?g0.expr=" in out  # offline: links to Prometheus' graph of the query


def test_reliability_section_stops_and_restarts_the_app(stack):
    result, out = run(stack, shipped("reliability"))
    assert result.passed, failures(result)
    assert stack.actions[-2:] == ["stop app", "start app"]
    assert result.figures["time_to_detect_s"] > 0 and result.figures["time_to_recover_s"] > 0
    assert stack.info().services["app"].running


def test_a_section_that_fails_midway_still_undoes_its_disruption(stack, tmp_path):
    result, out = run(stack, custom(tmp_path, "reliability", """\
        - stop: app
        - expect: {panel: app-uptime, op: "==", value: 5, within: 1}
        """))
    assert not result.passed
    assert stack.actions[-2:] == ["stop app", "start app"]
    assert "undo: start the app container again" in out
    assert httpx.get(f"{stack.app_url}/healthz", timeout=5).status_code == 200


def test_capacity_section_drives_the_rate_alert_pending_then_firing(stack):
    result, out = run(stack, shipped("capacity"))
    assert result.passed, failures(result)
    names = [c.name for c in result.checks if c.passed]
    assert names.index("HighRequestRate is pending in Prometheus") < names.index("HighRequestRate is firing in Prometheus")
    assert "background load stopped with the section: GET / at 25/s for 45 s" in out  # not read as cut short by a fault


def test_improvement_redeploys_only_the_app_and_restores_the_lecture_app(stack):
    result, out = run(stack, shipped("improvement"))
    assert result.passed, failures(result)
    assert "background load ended: GET /simulate-load at 3/s for 16 s" in out  # the charts waited for it
    figures = result.figures
    assert figures["speedup"] == pytest.approx(figures["baseline_server_mean_s"] / figures["improved_server_mean_s"])
    assert figures["speedup"] >= 5 and figures["client_speedup"] > 1
    assert "before and after" in out and "improved app" in out
    redeploys = [a for a in stack.actions if a.startswith("redeploy")]
    assert redeploys[0] == "redeploy lecture" and redeploys[-1] == "redeploy lecture" and len(redeploys) == 3
    assert "monlab-improved-" in redeploys[1]


def test_improvement_uses_a_students_app_dir(stack, tmp_path):
    student = tmp_path / "mine"
    shutil.copytree(labs_dir().parent / "monlab" / "app", student, ignore=shutil.ignore_patterns("__pycache__"))
    result, _ = run(stack, shipped("improvement"), student_app=student)
    assert f"redeploy {student}" in stack.actions
    assert not result.passed  # the unchanged lecture app is not 5× faster: the lab says so
    assert any(c.name.startswith("the improved app is at least 5×") and c.failed for c in result.checks)
    assert stack.actions[-1] == "redeploy lecture"


def test_a_stopped_app_fails_the_section_before_any_step(tmp_path):
    stack = LocalStack(tmp_path)  # nothing started: the app is "exited"
    result, out = run(stack, shipped("business"))
    [check] = result.checks
    assert check.failed and "the app service is exited" in check.detail and "monlab up" in check.hint
    assert stack.actions == []


def test_traffic_to_an_app_that_does_not_answer_is_a_failed_check(stack, tmp_path):
    result, _ = run(stack, custom(tmp_path, "business", """\
        - stop: app
        - traffic: {path: /, count: 3}
        """))
    [check] = [c for c in result.checks if c.failed]
    assert "3× ConnectError" in check.detail and "did not answer" in check.hint


def test_reading_after_the_next_scrape_sees_everything_sent_before(stack):
    from lab_fixtures import quiet_view
    from monlab.lab.context import RunContext
    from monlab.lab.scrape import read_after_next_scrape
    from monlab.prometheus_api import PrometheusAPI

    lab, catalog = shipped("business")
    with PrometheusAPI(stack.prometheus_url) as prometheus:
        ctx = RunContext(lab, stack, stack.info(), prometheus, catalog, quiet_view()[0], timing=FAST)
        expr = 'sum(http_requests_total{endpoint="/"})'
        for _ in range(3):
            with httpx.Client(base_url=stack.app_url) as http:
                for _ in range(25):
                    http.get("/")
                exposed = [line for line in http.get("/metrics").text.splitlines()
                           if line.startswith('http_requests_total{endpoint="/",method="GET"}')]
            samples = read_after_next_scrape(ctx, [expr])
            assert samples is not None
            assert samples[expr][0].value == float(exposed[0].split()[-1])


def test_after_a_quiet_spell_a_mark_reads_at_once_and_still_sees_everything_sent(stack):
    """Activity: when the last scrape started after monlab's last answered request, it already holds
    every count, so the mark does not wait a scrape interval; otherwise it waits for the next scrape."""
    from lab_fixtures import quiet_view
    from monlab.lab.context import Activity, RunContext
    from monlab.lab.scrape import LAST_GOOD_SCRAPE, note_activity, read_after_next_scrape
    from monlab.prometheus_api import PrometheusAPI
    from monlab.waiting import Clock

    lab, catalog = shipped("business")
    expr = 'sum(http_requests_total{endpoint="/"})'
    with PrometheusAPI(stack.prometheus_url) as prometheus:
        slept: list[float] = []
        ctx = RunContext(lab, stack, stack.info(), prometheus, catalog, quiet_view()[0], timing=FAST,
                         clock=Clock(sleep=lambda s: (slept.append(s), time.sleep(s))), activity=Activity())
        with httpx.Client(base_url=stack.app_url) as http:
            for _ in range(5):
                http.get("/")
            note_activity(ctx)  # what the runner does after a traffic step
            counted = _exposed_root_count(http)
        assert read_after_next_scrape(ctx, [expr])[expr][0].value == counted  # waited for a scrape after the traffic
        assert slept
        slept.clear()
        assert poll(lambda: Outcome(prometheus.query_value(LAST_GOOD_SCRAPE) > ctx.activity.at), 10, 0.1).done
        assert read_after_next_scrape(ctx, [expr])[expr][0].value == counted and slept == []  # quiet since: at once


def _exposed_root_count(http) -> float:
    line = next(l for l in http.get("/metrics").text.splitlines() if l.startswith('http_requests_total{endpoint="/",method="GET"}'))
    return float(line.split()[-1])


def test_wait_data_foreground_load_latency_and_targets_down(stack, tmp_path):
    result, out = run(stack, custom(tmp_path, "security", """\
        - load: {path: /login, data: {password: guess}, rate: 20, duration: 1, concurrency: 2, id: burst}
        - wait_data: {panel: failed-login-rate}
        - record: {figure: burst_p95_s, latency: burst, percentile: 95}
        - stop: app
        - targets: {jobs: [flask-app, flask-app-uptime], health: down}
        - wait_data: {query: 'up{job="no-such-job"}', within: 2}
        """))
    checks = {c.name: c for c in result.checks}
    assert checks["data for panel failed-login-rate"].passed
    assert checks["scrape targets flask-app, flask-app-uptime are down"].passed
    missing = checks['data for up{job="no-such-job"}']
    assert missing.failed and missing.hint  # never a silent pass
    assert result.figures["burst_p95_s"] > 0
    assert "20 requests" in checks["POST /login at 20/s for 1 s"].detail
    assert stack.actions[-2:] == ["stop app", "start app"]


def test_with_grafana_its_alert_states_are_checked_and_links_open_its_panels(stack, tmp_path, grafana_url):
    from monlab.lab.cli_support import grafana_hooks

    url, _ = grafana_url  # a fake Grafana 12 over HTTP (Grafana cannot run here): AppDown is firing there
    stack.grafana = (url, PASSWORD)
    try:
        result, out = run(stack, custom(tmp_path, "reliability", """\
            - grafana_alert: {name: AppDown, state: firing}
            - expect: {panel: app-uptime, op: "==", value: 1}
            """), grafana=grafana_hooks)
    finally:
        stack.grafana = None
    assert result.passed, failures(result)
    grafana_check, uptime = result.checks
    assert grafana_check.passed is True and "Grafana rule AppDown is firing" in grafana_check.detail
    assert uptime.link.startswith(f"{url}/d/monlab-lecture/") and "viewPanel=" in uptime.link


def test_a_client_percentile_of_a_load_that_got_no_answers_is_refused_not_flattering(stack, tmp_path):
    result, out = run(stack, custom(tmp_path, "business", """\
        - stop: app
        - traffic: {path: /, count: 6, concurrency: 2, id: dead}
        - record: {figure: dead_p95, latency: dead, percentile: 95}
        - start: app
        """))
    stack.wait_answers()
    load, figure = (c for c in result.checks if c.failed)
    assert load.detail.startswith("most requests timed out or got no answer (6 of 6)")
    assert figure.name == "figure dead_p95" and "of the 0 answered; 6 of 6 got no answer" in figure.detail
    assert "dead_p95" not in result.figures


class OfAnotherProject:
    """The local stack as a stack of project p9 made offline at port offset 7 would call itself."""

    UP, STATUS = "monlab up --offline --project p9 --port-offset 7", "monlab status --project p9"

    def __init__(self, stack: LocalStack) -> None:
        self.stack = stack

    def info(self):
        return replace(self.stack.info(), up_command=self.UP, status_command=self.STATUS)

    def __getattr__(self, name):
        return getattr(self.stack, name)


def test_hints_name_the_stacks_own_commands(stack, tmp_path):
    """Copying a hint repairs this stack, not the default project's."""
    named = OfAnotherProject(stack)
    result, _ = run(named, custom(tmp_path, "reliability", """\
        - targets: {jobs: [no-such-job], within: 1}
        """))
    [check] = [c for c in result.checks if c.failed]
    assert f"`{named.UP}` renders it" in check.hint
    stack.stop_service("app")
    try:
        result, _ = run(named, custom(tmp_path / "again", "reliability", "- targets: {jobs: [flask-app]}\n"))
    finally:
        stack.start_service("app")
    [check] = result.checks
    assert check.environment and f"`{named.UP}`" in check.hint, check
