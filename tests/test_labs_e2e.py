"""`monlab lab all` on a real offline stack (Docker engine, bootstrapped Debian images).

The stack belongs to this module's own project; everything carrying its label is removed afterwards.
"""

from __future__ import annotations

import io
import json
import math
import tarfile
import uuid

import pytest

from printed_urls import URL, broken_urls, look_at_blocks, printed_urls
from results_schema import E_NOTATION, validate_results
from labelled_projects import free_offset, remove_labelled  # the stack tests' port search and label-only cleanup
from monlab.catalog import load_catalog
from monlab.prometheus_api import PrometheusAPI
from monlab.resources import app_source_dir
from monlab.waiting import Outcome, poll
from monlab_cli import monlab

pytestmark = pytest.mark.docker

SECTIONS = ["reliability", "performance", "capacity", "security", "business", "improvement"]


@pytest.fixture(scope="module")
def stack(docker_client):
    bootstrap = monlab("images", "bootstrap")
    assert bootstrap.returncode == 0, bootstrap.stderr[-2000:]
    project = f"monlabtest-labs-{uuid.uuid4().hex[:8]}"
    try:
        offset = str(free_offset())
        up = monlab("up", "--offline", "--project", project, "--port-offset", offset, "--json")
        assert up.returncode == 0, up.stderr[-2000:]
        yield {"project": project, "up": json.loads(up.stdout), "offset": offset}
    finally:
        remove_labelled(docker_client, project)


def test_up_says_ready_only_when_the_table_agrees(stack):
    """Readiness waits for Docker's healthcheck: "ready" never stands beside an app health `starting`."""
    assert stack["up"]["services"]["app"]["health"] == "healthy", stack["up"]["services"]
    again = monlab("up", "--offline", "--project", stack["project"], "--port-offset", stack["offset"])  # the table, as a person sees it
    assert again.returncode == 0 and "is ready" in again.stderr and "starting" not in again.stderr, again.stderr
    urls = printed_urls(again.stderr)
    assert len(urls) == 2 and not broken_urls(urls), urls  # the app and Prometheus; offline there is no Grafana


def test_lab_all_passes_on_a_fresh_offline_stack(stack):
    done = monlab("lab", "all", "--json", "--project", stack["project"])
    report = json.loads(done.stdout)  # nothing but the report on stdout
    failures = [(lab["name"], c) for lab in report["labs"] for c in lab["checks"] if c["passed"] is False]
    assert done.returncode == 0 and report["passed"] is True, failures
    validate_results(report, "offline", stack["project"])
    assert [lab["name"] for lab in report["labs"]] == SECTIONS
    for lab in report["labs"]:
        assert lab["passed"] is True
        assert all(set(c) == {"name", "passed", "detail"} for c in lab["checks"])
        skipped = [c for c in lab["checks"] if c["passed"] is None]
        assert all(c["detail"].startswith("skipped: Grafana") for c in skipped)  # offline: no Grafana
    figures = {lab["name"]: {k: f["value"] for k, f in lab["figures"].items()} for lab in report["labs"]}
    assert figures["reliability"]["time_to_detect_s"] > 0 and figures["reliability"]["time_to_recover_s"] > 0
    assert figures["performance"]["p95_latency_s"] > 0 and figures["performance"]["request_rate"] > 0
    assert figures["improvement"]["speedup"] >= 5
    assert report["labs"][-1]["figures"]["speedup"]["text"].endswith("×")
    # what a person read meanwhile (the text view goes to stderr with --json): numbers with units, never 1.16e+03
    prose = URL.sub("<url>", done.stderr)  # a link's %3E+5 is an encoded "> 5", not a number
    assert done.stderr and not E_NOTATION.search(prose), E_NOTATION.findall(prose)
    # offline guidance names no Grafana, and every link `up` and the labs printed opens on Debian's Prometheus
    guidance = look_at_blocks(done.stderr)
    assert len(guidance) == len(SECTIONS) and not any("Grafana" in block for block in guidance), guidance
    urls = printed_urls(done.stderr)
    assert any("/classic/graph?g0.expr=" in u for u in urls), urls
    assert not broken_urls(urls)


def test_afterwards_every_lecture_query_returns_data(stack):
    queries = [p.expr for p in load_catalog().panels if p.lecture]
    with PrometheusAPI(stack["up"]["services"]["prometheus"]["url"]) as api:
        def probe() -> Outcome:
            seen = {q: [s.value for s in api.query(q)] for q in queries}
            return Outcome(all(v and all(math.isfinite(x) for x in v) for v in seen.values()), seen)

        result = poll(probe, timeout=30, interval=1)
    assert result.done, f"lecture queries without finite data: {result.value}"


def test_with_the_app_stopped_a_section_fails_with_a_hint_and_no_traceback(stack, docker_client):
    [app] = docker_client.containers.list(filters={"label": [f"monlab.project={stack['project']}", "monlab.service=app"]})
    app.stop()
    try:
        done = monlab("lab", "business", "--project", stack["project"])
        assert done.returncode == 3  # issue 10: a stack that is not up is an environment problem
        assert "monlab up" in done.stdout and "Traceback" not in done.stdout + done.stderr
        as_json = monlab("lab", "security", "--json", "--project", stack["project"])
        report = json.loads(as_json.stdout)
        assert as_json.returncode == 3 and report["passed"] is False
        validate_results(report, "offline", stack["project"])  # gradable also when a check failed
        assert "monlab up" in report["labs"][0]["checks"][0]["detail"]
        app.reload()
        assert app.status == "exited"  # the lab did not repair the stack behind the user's back
    finally:
        app.start()


def test_improvement_with_a_students_app_dir_then_the_lecture_app_is_back(stack, docker_client, tmp_path):
    label = {"label": [f"monlab.project={stack['project']}", "monlab.service=app"]}
    [before] = docker_client.containers.list(filters=label)
    student = tmp_path / "mine"
    assert monlab("app", "eject", str(student)).returncode == 0
    (student / "workload.py").write_text(
        "def simulate_load() -> int:\n    n = 1000000\n    return n * (n - 1) // 2\n")
    done = monlab("lab", "improvement", "--json", "--project", stack["project"], "--app", str(student))
    report = json.loads(done.stdout)
    assert done.returncode == 0, report
    assert report["labs"][0]["figures"]["speedup"]["value"] >= 5
    [after] = docker_client.containers.list(filters=label)
    assert after.id != before.id  # the app container was recreated ...
    assert after.attrs["Image"] == docker_client.images.get(f"monlab/{stack['project']}-app:latest").id
    bits, _ = after.get_archive("/app/workload.py")  # ... and runs the lecture's app again, not the student's
    with tarfile.open(fileobj=io.BytesIO(b"".join(bits))) as tar:
        running = tar.extractfile("workload.py").read().decode()
    assert running == (app_source_dir() / "workload.py").read_text() != (student / "workload.py").read_text()
