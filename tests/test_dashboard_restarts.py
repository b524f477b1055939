"""Saying what changed the picture: the app's restarts read from Prometheus' counters, drawn as a
marked column on terminal charts, a note on raw-counter stat panels and a line in the report's SVG."""

from __future__ import annotations

import math
import xml.etree.ElementTree as ElementTree

import pytest
from rich.console import Console

from monlab.catalog import Panel
from monlab.dashboard.chart import EVENT, draw_chart
from monlab.dashboard.data import Line, PanelData
from monlab.dashboard.render import stat_body, timeseries_body
from monlab.dashboard.restarts import on_raw_counter, restart_times
from monlab.report.svg_chart import ChartSeries, svg_line_chart

NAN = math.nan
NS = "{http://www.w3.org/2000/svg}"


@pytest.mark.parametrize("points, restarts", [
    ([(0, 1), (1, 5), (2, 9)], []),
    ([(0, 40), (1, 40), (2, 0), (3, 3)], [2]),  # counters start again from 0
    ([(0, 40), (1, NAN), (2, NAN), (3, 2)], [3]),  # down for a while, then back from 0
    ([(0, 5), (1, 2), (2, 9), (3, 1)], [1, 3]),
    ([], []),
])
def test_restart_times(points, restarts):
    assert restart_times(points) == restarts


@pytest.mark.parametrize("expr, raw", [
    ("sum(purchase_amount_total)", True),
    ("sum by (status) (login_attempts_total)", True),
    ("increase(purchase_amount_total[1h])", False),
    ("sum(rate(http_requests_total[1m])) by (endpoint)", False),
    ('up{job="flask-app-uptime"}', False),
])
def test_on_raw_counter(expr, raw):
    assert on_raw_counter(expr) is raw


def test_line_chart_marks_a_restart_as_a_column():
    lines = draw_chart([[1, 1, 1, 1, 1]], width=8, height=3, label=lambda v: f"{v:g}", marks=[0.5]).lines
    assert lines == ["1 ┤────•", "  ┤  ┊  ", "0 ┤  ┊  "]


def shown(renderable, width: int = 60) -> str:
    console = Console(width=width, record=True, color_system=None)
    console.print(renderable)
    return console.export_text()


REVENUE = Panel("revenue-total", "Revenue since start", "sum(purchase_amount_total)", unit="currencyUSD", kind="stat")
LATENCY = Panel("avg-latency", "Average request latency", "rate(a_sum[1m]) / rate(a_count[1m])", unit="s")


def test_a_raw_counter_panel_says_its_counters_restarted_and_when():
    points = [(100.0 + i, v) for i, v in enumerate([80, 90, 104, 0, 0, 0])]
    data = PanelData(REVENUE, [Line("value", points)], restarts=(103.0,))
    text = shown(timeseries_body(data, 50, 5))
    assert EVENT in text.splitlines()[1]  # the column where it happened
    assert "counters restarted" in text
    assert "since restart" in shown(stat_body(data))
    assert "restarted" not in shown(stat_body(PanelData(REVENUE, [Line("value", points)])))


def test_a_restart_outside_the_charts_time_is_not_drawn():
    points = [(100.0 + i, 1.0) for i in range(6)]
    text = shown(timeseries_body(PanelData(LATENCY, [Line("value", points)], restarts=(50.0,)), 50, 5))
    assert EVENT not in text and "restarted" not in text


def test_svg_chart_draws_a_restart_line_with_its_note():
    series = [ChartSeries("value", [(0, 1), (10, 2), (20, 1)])]
    svg = svg_line_chart(series, width=400, height=120, restarts=[10], restart_note="the app restarted",
                         time_range=(0, 20))
    root = ElementTree.fromstring(svg)
    [line] = [e for e in root.iter(f"{NS}line") if e.get("class") == "restart"]
    assert float(line.get("x1")) == pytest.approx(78 + (400 - 78 - 12) / 2, abs=0.1)  # half-way in time
    [note] = [t.text for t in root.iter(f"{NS}text") if "restart-legend" in (t.get("class") or "")]
    assert note == "the app restarted at 00:00:10 UTC"
    outside = svg_line_chart(series, width=400, height=120, restarts=[30], time_range=(0, 20))
    assert 'class="restart"' not in outside


@pytest.mark.prometheus
def test_a_real_redeploy_is_found_in_prometheus_and_shown_on_the_dashboard(prometheus_binary, tmp_path):
    import time

    import httpx

    from lab_fixtures import local_stack
    from monlab.catalog import load_catalog
    from monlab.dashboard.data import fetch_snapshot
    from monlab.dashboard.render import render_snapshot
    from monlab.dashboard.restarts import fetch_restarts
    from monlab.prometheus_api import PrometheusAPI
    from monlab.waiting import Outcome, poll

    catalog = load_catalog()
    with local_stack(prometheus_binary, tmp_path) as stack, PrometheusAPI(stack.prometheus_url) as api:
        httpx.post(f"{stack.app_url}/purchase", data={"amount": "12.50"}, timeout=10)
        counted = poll(lambda: Outcome((api.query_value("sum(purchase_amount_total)") or 0) > 0), timeout=30, interval=0.3)
        assert counted.done
        before = time.time()
        stack.redeploy_app(None)
        after = time.time()
        found = poll(lambda: Outcome(bool(r := fetch_restarts(api, before - 30, time.time(), 1)), r), timeout=30, interval=0.5)
        assert found.done, "no restart found after the redeploy"
        assert before - 1 <= found.value[0] <= after + 3  # at the first scrape of the new app
        snapshot = fetch_snapshot(api, [catalog.section("business")], "5m")
        revenue = snapshot.sections[0].panels[1]
        assert revenue.restarts, (revenue.restarts, revenue.time_span, found.value)  # revenue-total
        text = shown(render_snapshot(snapshot, 100), 100)
        assert "Revenue since start" in text and "since restart" in text
