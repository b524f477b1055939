"""The dashboard's data layer and `monlab dashboard --once` against a real Prometheus: Debian's
prometheus scraping the lab app (tests/lab_fixtures.py) after some lecture traffic."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import xml.etree.ElementTree as ElementTree
from functools import partial

import pytest

from dashboard_fixtures import stack  # noqa: F401 (a fixture: the app and Prometheus with lecture traffic)
from monlab.catalog import load_catalog
from monlab.chart_panels import section_charts
from monlab.dashboard.data import fetch_snapshot
from monlab.prometheus_api import PrometheusAPI
from monlab_cli import monlab as run_monlab

pytestmark = pytest.mark.prometheus


def test_query_range_returns_points_over_the_range(stack):
    with PrometheusAPI(stack.prometheus_url) as api:
        end = time.time()
        [series] = api.query_range('up{job="flask-app"}', end - 16, end, 2)
    assert series.labels["job"] == "flask-app"
    times = [t for t, _ in series.points]
    assert len(times) in (8, 9)  # every 2 s over the 16 s that have samples
    assert {round(b - a, 3) for a, b in zip(times, times[1:])} == {2.0}
    assert end - 16.001 <= times[0] and times[-1] <= end + 0.001
    assert series.points[-1][1] == 1.0


def test_query_range_reports_a_rejected_query():
    from monlab.errors import ServiceError

    with pytest.raises(ServiceError):
        with PrometheusAPI("http://127.0.0.1:1", timeout=1) as api:
            api.query_range("up", 0, 1, 1)


def test_snapshot_has_every_panel_with_legends_and_alert_states(stack):
    catalog = load_catalog()
    with PrometheusAPI(stack.prometheus_url) as api:
        snapshot = fetch_snapshot(api, list(catalog.sections), "5m")
    assert [p.panel.id for p in snapshot.panels] == [p.id for s in catalog.sections for p in section_charts(s)]
    assert not snapshot.problem and all(not p.error for p in snapshot.panels)
    by_id = {p.panel.id: p for p in snapshot.panels}
    assert {line.name for line in by_id["scrape-health"].lines} == {"flask-app", "flask-app-uptime"}
    assert "failure" in {line.name for line in by_id["logins-by-status"].lines}
    assert by_id["app-uptime"].last == 1.0
    alerts = {a.name: a for s in snapshot.sections for a in s.alerts}
    assert set(alerts) == {a.name for a in catalog.alerts}
    assert alerts["AppDown"].prometheus == "inactive" and alerts["AppDown"].grafana is None


def test_a_prometheus_that_does_not_answer_is_a_problem_in_the_snapshot_not_an_exception():
    with PrometheusAPI("http://127.0.0.1:1", timeout=1) as api:
        snapshot = fetch_snapshot(api, list(load_catalog().sections), "5m")
    assert "did not answer" in snapshot.problem
    assert all("did not answer" in p.error for p in snapshot.panels)
    assert {a.prometheus for s in snapshot.sections for a in s.alerts} == {"unknown"}


monlab = partial(run_monlab, columns=400)


def test_once_svg_contains_every_lecture_panel_title(stack, tmp_path):
    svg = tmp_path / "d.svg"
    done = monlab("dashboard", "--once", "--svg", str(svg), "--prometheus-url", stack.prometheus_url)
    assert done.returncode == 0, done.stderr
    root = ElementTree.parse(svg).getroot()  # well-formed XML
    assert root.tag.endswith("svg")
    text = "".join(root.itertext()).replace("\xa0", " ")
    for panel in load_catalog().panels:
        assert panel.title in text, panel.title
        assert panel.title in done.stdout, panel.title
    for section in load_catalog().sections:
        assert f"§{section.number} {section.title}" in text
    assert "AppDown (critical) Prometheus inactive" in done.stdout
    assert "•" in done.stdout  # at least one chart drew points


def test_once_one_section_shows_only_its_panels(stack):
    done = monlab("dashboard", "--once", "--section", "security", "--range", "5m",
                  "--prometheus-url", stack.prometheus_url)
    assert done.returncode == 0, done.stderr
    assert "Failed login rate" in done.stdout and "Revenue since start" not in done.stdout
    assert "FailedLoginBurst" in done.stdout
    assert "FailedLoginBurst alert query" in done.stdout  # its own query, charted
    assert "FailedLoginBurst > 10" in done.stdout  # its threshold, on that chart


@pytest.mark.parametrize("args, code, words", [
    (["--prometheus-url", "http://127.0.0.1:1"], 3, "did not answer"),
    (["--project", "monlabtest-dashboard-absent0"], 3, "has no containers"),
    (["--range", "soon"], 2, "is not a duration"),
    (["--section", "nope"], 2, "no section 'nope'"),
    (["--refresh", "0s"], 2, "is not a duration"),
])
def test_once_fails_with_one_sentence(args, code, words):
    done = monlab("dashboard", "--once", *args)
    assert done.returncode == code
    assert words in done.stderr and "Traceback" not in done.stderr


def test_svg_needs_once(tmp_path):
    done = monlab("dashboard", "--svg", str(tmp_path / "d.svg"))
    assert done.returncode == 2 and "use it with --once" in done.stderr


def test_help_does_not_import_textual_or_the_dashboard():
    code = ("import sys, runpy; sys.argv = ['monlab', '--help']\n"
            "try:\n    runpy.run_module('monlab', run_name='__main__')\nexcept SystemExit:\n    pass\n"
            "print(sorted(m for m in sys.modules if m.startswith(('textual', 'monlab.dashboard', 'monlab.report'))))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert "dashboard" in done.stdout  # the command is listed
    assert done.stdout.strip().splitlines()[-1] == "[]"


def test_once_fits_80_columns_with_legends_on_one_line(stack):
    done = subprocess.run([sys.executable, "-m", "monlab", "dashboard", "--once", "--range", "5m",
                           "--prometheus-url", stack.prometheus_url],
                          capture_output=True, text=True, timeout=60, env={**os.environ, "COLUMNS": "80"})
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert max(len(line) for line in lines) <= 80
    assert "{instance=" not in done.stdout  # short legends, not raw label sets
    assert any("• status=failure" in line and "req/s" in line for line in lines)  # value beside its name
    assert "Error ratio" in done.stdout
