"""No step can crash a lab (issue 18, Deliver 1): a failure injected into any step kind is that
step's result (exit 1, or exit 3 when the stack is the cause), the steps that needed its output are
"not run" naming it, the section's disruptions are undone and the JSON report is one valid document.

Against real processes: the lab app under gunicorn and Debian's prometheus (tests/lab_fixtures.py).
"""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
import time

import httpx
import pytest
from hypothesis import HealthCheck, example, given, settings, strategies as st

from lab_fixtures import custom, failures, local_stack, run
from lab_app_server import served_app
from local_prometheus import running_prometheus
from monlab.errors import ServiceError
from monlab.lab.inputs import missing_input, not_run_reason
from monlab.lab.kinds import KINDS
from monlab.lab.results import RunInfo, exit_code, report
from results_schema import validate_results

pytestmark = pytest.mark.prometheus

# One step of every kind; later steps use what earlier ones leave (a mark, a load's id, figures).
EVERY_KIND = """\
- mark: before
- quiet: 1s
- say: every kind once
- traffic: {path: /purchase, data: {amount: "1.50"}, count: 2, id: buys, expect_status: 200}
- load: {path: /, rate: 20, duration: 0.5}
- http: {path: /purchase, data: {amount: abc}, status: 400}
- wait_data: {panel: revenue-total}
- expect: {panel: revenue-total, delta_from: before, op: "==", value: 3}
- alert: {name: HighLatency, state: inactive}
- grafana_alert: {name: HighLatency, state: inactive}
- targets: {jobs: [flask-app]}
- record: {figure: waited, elapsed_since: before}
- record: {figure: p50, latency: buys}
- record: {figure: same, ratio: [waited, waited]}
- table: {caption: figures, columns: [value], rows: {waited: [waited]}}
- chart: {panel: revenue-total, since: before}
- stop: app
- start: app
- redeploy: {app: lecture}
"""

SILENT_KINDS = {"say", "mark", "record", "table", "chart", "stop", "start", "redeploy"}  # no check when they succeed

STACK_ERRORS = {
    "ServiceError": lambda text: ServiceError(f"Prometheus went away: {text}"),
    "ConnectError": lambda text: httpx.ConnectError(f"connection refused: {text}"),
}
BUG_ERRORS = {
    "RuntimeError": RuntimeError,
    "KeyError": KeyError,
    "ZeroDivisionError": ZeroDivisionError,
}


@pytest.fixture(scope="module")
def stack(prometheus_binary, tmp_path_factory):
    with local_stack(prometheus_binary, tmp_path_factory.mktemp("no-crash")) as running:
        yield running


@pytest.fixture(scope="module")
def every_kind(tmp_path_factory):
    return custom(tmp_path_factory.mktemp("every-kind"), "business", EVERY_KIND)


def test_the_lab_of_every_kind_uses_every_kind_and_passes_undisturbed(stack, every_kind):
    assert {step.kind for step in every_kind[0].steps} == set(KINDS)
    result, _ = run(stack, every_kind)
    assert result.passed and exit_code([result]) == 0, failures(result)


def raising(error: BaseException):
    def run_step(ctx, params):
        raise error
    return run_step


@pytest.mark.parametrize("kind", sorted(KINDS))
@example(error_name="RuntimeError", text="[bold]boom\x1b[31m")  # always both causes, whatever is drawn
@example(error_name="ConnectError", text="refused")
@settings(max_examples=1, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(error_name=st.sampled_from(sorted(STACK_ERRORS) + sorted(BUG_ERRORS)),
       text=st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=40))
def test_a_failure_in_any_step_kind_is_a_result_with_valid_json(stack, every_kind, monkeypatch, kind, error_name, text):
    stack_caused = error_name in STACK_ERRORS
    error = STACK_ERRORS[error_name](text) if stack_caused else BUG_ERRORS[error_name](text)
    lab, _ = every_kind
    index = next(i for i, step in enumerate(lab.steps) if step.kind == kind)
    with monkeypatch.context() as patch:
        patch.setitem(KINDS, kind, dataclasses.replace(KINDS[kind], run=raising(error)))
        result, _ = run(stack, every_kind)

    result.started = result.ended = now = time.time()
    document = json.loads(json.dumps(report([result], RunInfo("no-crash", "by-url", now, now))))
    validate_results(document, "by-url", "no-crash")  # one valid JSON document, whatever the text
    assert document["labs"][0]["name"] == "business" and document["passed"] is False
    broken = [c for c in result.checks if c.name == lab.steps[index].title and c.failed]
    assert broken, [c.name for c in result.checks]
    assert exit_code([result]) == (3 if stack_caused else 1)
    after = result.checks[result.checks.index(broken[0]) + 1:]
    if stack_caused:  # the section stops at the step: only undoing its disruptions follows
        assert broken[0].environment
        assert [c.name for c in after if not c.name.startswith("undo ")] == []
    else:
        assert error_name in broken[0].detail and not broken[0].environment
        assert len(after) >= len(lab.steps[index + 1:]) - _silent_steps(lab, index)  # the section went on
        not_run = [c for c in result.checks if c.detail.startswith("not run:")]
        assert {c.name for c in not_run} == _titles_needing(lab, index)
    stack.wait_answers()  # every disruption undone: the app answers again


def _silent_steps(lab, index: int) -> int:
    """Later steps that leave no check when they run (narration, marks, tables, charts, records)."""
    return sum(step.kind in SILENT_KINDS for step in lab.steps[index + 1:])


def _titles_needing(lab, index: int) -> set[str]:
    """Titles of the later steps that need what step `index` would have defined."""
    lost = set(lab.steps[index].defines)
    titles = set()
    for step in lab.steps[index + 1:]:
        if lost & set(step.needs):
            titles.add(step.title)
            lost |= set(step.defines)
    return titles


def test_a_missing_input_names_the_step_that_should_have_left_it(every_kind):
    lab, _ = every_kind
    expect = next(step for step in lab.steps if step.kind == "expect")
    assert missing_input(expect, {"mark": {}}) == ("mark", "before")
    assert missing_input(expect, {"mark": {"before": object()}}) is None
    reason = not_run_reason(lab, expect, ("mark", "before"))
    assert reason.startswith("not run:") and "steps[0] (mark before)" in reason


def test_the_issues_smallest_input_ends_in_a_clear_result_and_valid_json(prometheus_binary, tmp_path):
    """`app serve` plus a Prometheus whose flask-app job targets 127.0.0.1:1: no scrape ever succeeds."""
    (tmp_path / "prometheus.yml").write_text(
        "global: {scrape_interval: 1s, evaluation_interval: 1s}\n"
        "scrape_configs:\n  - job_name: flask-app\n    static_configs: [{targets: ['127.0.0.1:1']}]\n")
    with served_app(1, tmp_path) as app, running_prometheus(prometheus_binary, tmp_path / "prometheus.yml", tmp_path) as api:
        done = subprocess.run(
            [sys.executable, "-m", "monlab", "lab", "business", "--json", "--prometheus", api.base_url, "--app", app.url],
            capture_output=True, text=True, timeout=120, env={**os.environ, "COLUMNS": "200"})
    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode == 1, done.stderr
    checks = {c["name"]: c for c in json.loads(done.stdout)["labs"][0]["checks"]}
    assert checks["mark before"]["passed"] is False and "127.0.0.1:1" in checks["mark before"]["detail"]
    waiting_on_mark = [c for c in checks.values() if c["detail"].startswith("not run:")]
    assert len(waiting_on_mark) == 3 and all("mark before" in c["detail"] for c in waiting_on_mark)


def test_json_without_a_stack_is_still_one_report_and_exit_3():
    done = subprocess.run([sys.executable, "-m", "monlab", "lab", "all", "--json", "--project", "wt18-no-such-stack"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 3 and "Traceback" not in done.stderr
    labs = json.loads(done.stdout)["labs"]
    assert len(labs) == 6 and all(lab["checks"][0]["passed"] is False for lab in labs)
    assert "wt18-no-such-stack" in labs[0]["checks"][0]["detail"]
