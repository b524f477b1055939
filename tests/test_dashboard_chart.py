"""Table tests of the dashboard's pure parts: text charts, units, legends, query steps."""

from __future__ import annotations

import math
import time

import pytest

from monlab.catalog import load_catalog
from monlab.chart_panels import Threshold, same_query, section_charts, thresholds_on
from monlab.dashboard.chart import NO_SERIES, draw_chart, fit_axis, resample, sparkline, value_range
from monlab.dashboard.data import Line, legend_name, legend_names, on_grid, step_for
from monlab.dashboard.empty import IDLE, NO_TRAFFIC, NOT_SCRAPED, SHORT_WINDOW, TARGET_DOWN, shortest_window, why_empty
from monlab.dashboard.units import format_value

NAN = math.nan


@pytest.mark.parametrize("values, width, expected", [
    ([1, 2, 3, 4], 2, [1.5, 3.5]),
    ([1, 2], 4, [1, 1, 2, 2]),
    ([1, NAN, NAN, 4], 2, [1, 4]),
    ([NAN, NAN], 1, [None]),
    ([], 3, [None, None, None]),
    ([5], 0, []),
])
def test_resample(values, width, expected):
    assert resample(values, width) == expected


@pytest.mark.parametrize("series, expected", [
    ([[1, 5], [3]], (1, 5)),
    ([[NAN], []], None),
    ([[2, 2]], (0.0, 2)),  # a flat positive series is drawn from zero
    ([[0, 0]], (0, 1.0)),
    ([[-2]], (-2.2, -1.8)),
])
def test_value_range(series, expected):
    assert value_range(series) == (pytest.approx(expected) if expected else None)


@pytest.mark.parametrize("values, width, expected", [
    ([0, 1, 2, 3, 4, 5, 6, 7], 8, "▁▂▃▄▅▆▇█"),
    ([0, 7], 4, "▁▁██"),
    ([1, NAN, 1], 3, "█ █"),
    ([NAN], 3, "   "),
])
def test_sparkline(values, width, expected):
    assert sparkline(values, width) == expected


def test_line_chart_draws_a_drop_and_recovery_as_one_line_with_axis_labels():
    lines = draw_chart([[1, 1, 0, 0, 1, 1]], width=9, height=3, label=lambda v: f"{v:g}").lines
    assert lines == [
        "1 ┤──╮ ╭•",
        "  ┤  │ │ ",
        "0 ┤  ╰─╯ ",
    ]


@pytest.mark.parametrize("series, top, bottom", [
    ([[0, 1, 2, 3]], "   •", "─╯  "),
    ([[3, 2, 1, 0]], "─╮  ", "   •"),
    ([[0, 0, 0, 0], [3, 3, 3, 3]], "───×", "───•"),  # each line ends in its series' marker
])
def test_line_chart_places_lines_by_value(series, top, bottom):
    lines = draw_chart(series, width=7, height=4, label=lambda v: f"{v:g}").lines
    assert [line[3:] for line in (lines[0], lines[-1])] == [top, bottom]


def test_draw_chart_says_whose_each_character_is():
    drawing = draw_chart([[0, 0], [1, 1]], width=5, height=2, label=lambda v: f"{v:g}",
                         thresholds=[T("a", ">", 0.5)])
    assert drawing.lines == ["1 ┤─×", "0 ┤─•"]
    assert drawing.owners == [[NO_SERIES, NO_SERIES, NO_SERIES, 1, 1], [NO_SERIES, NO_SERIES, NO_SERIES, 0, 0]]


def test_line_chart_without_data_says_so():
    lines = draw_chart([[NAN]], width=12, height=3).lines
    assert lines[0].strip() == "no data" and len(lines) == 3 and all(len(line) == 12 for line in lines)


@pytest.mark.parametrize("value, unit, text", [
    (None, "s", "–"),
    (NAN, "short", "–"),
    (0.0123, "s", "12.3 ms"),
    (2.5, "s", "2.5 s"),
    (0.25, "percentunit", "25%"),
    (1234.5, "reqps", "1,234 req/s"),
    (0.5, "reqps", "0.5 req/s"),
    (1234.5, "currencyUSD", "$1,234.50"),
    (200, "short", "200"),
    (1, "short", "1"),
    (0.0001, "short", "0.0001"),
])
def test_format_value(value, unit, text):
    assert format_value(value, unit) == text


@pytest.mark.parametrize("template, labels, name", [
    ("{{job}}", {"job": "flask-app", "instance": "x"}, "flask-app"),
    ("{{ endpoint }} ({{method}})", {"endpoint": "/", "method": "GET"}, "/ (GET)"),
    ("{{missing}}", {"job": "a"}, ""),
    ("", {"__name__": "up", "job": "a", "instance": "b"}, "instance=b, job=a"),
    ("", {"__name__": "up"}, "up"),
    ("", {}, "value"),
])
def test_legend_name(template, labels, name):
    assert legend_name(template, labels) == name


@pytest.mark.parametrize("label_sets, names", [
    ([{"instance": "app:5000", "job": "flask-app"}], ["value"]),  # the raw label set is no legend
    ([{"instance": "app:5000", "job": "flask-app", "status": "failure"}], ["status=failure"]),
    ([{"instance": "a", "job": "j", "endpoint": "/"}, {"instance": "a", "job": "j", "endpoint": "/login"}],
     ["endpoint=/", "endpoint=/login"]),  # only what tells them apart
    ([{"__name__": "up", "job": "a"}, {"__name__": "up", "job": "b"}], ["job=a", "job=b"]),
])
def test_legend_names_keep_only_the_labels_that_tell_series_apart(label_sets, names):
    assert legend_names("", label_sets) == names


@pytest.mark.parametrize("app_up, scrapes, has_series, reason", [
    (None, None, False, NOT_SCRAPED),
    (0, 12, False, TARGET_DOWN),
    (1, 1, False, SHORT_WINDOW),  # rate() needs two samples in its window
    (1, 12, True, IDLE),  # series, but 0/0
    (1, 12, False, NO_TRAFFIC),
    (1, None, False, NO_TRAFFIC),  # a query without a window
])
def test_why_empty(app_up, scrapes, has_series, reason):
    assert why_empty(app_up, scrapes, has_series) == reason


@pytest.mark.parametrize("expr, window", [
    ("sum(rate(a[1m])) / sum(rate(b[5m]))", "1m"),
    ("increase(purchase_amount_total[1h])", "1h"),
    ("max_over_time(x[30s:5s])", "30s"),
    ("up", None),
])
def test_shortest_window(expr, window):
    assert shortest_window(expr) == window


@pytest.mark.parametrize("seconds, step", [(300, 2), (900, 8), (3600, 30), (60, 1), (10, 1)])
def test_step_for(seconds, step):
    assert step_for(seconds) == step


@pytest.mark.parametrize("points, end, step, count, expected", [
    ([(8, 1), (10, 2)], 10, 2, 4, [(4, NAN), (6, NAN), (8, 1), (10, 2)]),  # data only at the recent end
    ([(4.0004, 1)], 10, 2, 4, [(4, 1), (6, NAN), (8, NAN), (10, NAN)]),  # times printed to the ms
    ([(0, 9), (12, 9)], 10, 2, 2, [(8, NAN), (10, NAN)]),  # outside the grid: dropped
])
def test_on_grid(points, end, step, count, expected):
    got = on_grid(points, end, step, count)
    assert [t for t, _ in got] == [t for t, _ in expected]
    assert [None if math.isnan(v) else v for _, v in got] == [None if math.isnan(v) else v for _, v in expected]


@pytest.mark.parametrize("points, last", [([(1, 2), (2, NAN)], 2), ([(1, NAN)], None), ([], None)])
def test_last_is_the_latest_finite_value(points, last):
    assert Line("x", points).last == last


T = Threshold


@pytest.mark.parametrize("series, thresholds, low, high, inside, above, below", [
    ([[1, 9]], [T("a", ">", 5)], 1, 9, ["a"], [], []),  # within the data
    ([[1, 2]], [T("a", ">", 2.8)], 1, 2.8, ["a"], [], []),  # near: the axis grows to show it
    ([[0.12, 0.25]], [T("a", ">", 1)], 0.12, 0.25, [], ["a"], []),  # far above: at the edge
    ([[10, 12]], [T("a", "<", 1)], 10, 12, [], [], ["a"]),  # far below
    ([[0, 0]], [T("a", ">", 5)], 0, 1, [], ["a"], []),  # flat at 0: marked, not stretched to 5
    ([[1, 3]], [T("far", ">", 40), T("near", ">", 4)], 1, 4, ["near"], ["far"], []),
])
def test_fit_axis(series, thresholds, low, high, inside, above, below):
    axis = fit_axis(series, thresholds)
    assert (axis.low, axis.high) == (pytest.approx(low), pytest.approx(high))
    assert [[t.name for t in group] for group in (axis.inside, axis.above, axis.below)] == [inside, above, below]


def test_line_chart_draws_a_threshold_row_behind_the_data():
    lines = draw_chart([[0, 0, 4, 4]], width=7, height=5, label=lambda v: f"{v:g}", thresholds=[T("a", ">", 2)]).lines
    assert lines == [
        "4 ┤  ╭•",
        "  ┤  │ ",
        "  ┤╌╌│╌",
        "  ┤  │ ",
        "0 ┤──╯ ",
    ]


def test_a_threshold_is_drawn_only_on_a_chart_of_its_own_query():
    catalog = load_catalog()
    for section in catalog.sections:
        for panel in section_charts(section):
            for threshold in thresholds_on(panel, catalog.alerts):
                assert same_query(catalog.alert(threshold.name).query, panel.expr), (panel.id, threshold)
    security = [p.id for p in section_charts(catalog.section("security"))]
    assert security == ["failed-login-rate", "alert-failedloginburst", "logins-by-status"]
    burst = catalog.panel("failed-login-rate")
    assert thresholds_on(burst, catalog.alerts) == ()  # a count per minute is no line on a rate per second
    [own] = [p for p in section_charts(catalog.section("security")) if p.id == "alert-failedloginburst"]
    assert own.expr == catalog.alert("FailedLoginBurst").query
    assert [t.value for t in thresholds_on(own, catalog.alerts)] == [10]
    latency = catalog.panel("p95-latency")
    assert [t.name for t in thresholds_on(latency, catalog.alerts)] == ["HighLatency"]


@pytest.mark.parametrize("a, b, same", [
    ("sum(rate(x[1m]))", "sum( rate(x[1m]) )", True),
    ("sum(rate(x[1m]))", "sum(increase(x[1m]))", False),
])
def test_same_query(a, b, same):
    assert same_query(a, b) is same


def test_a_short_outage_among_many_points_still_reaches_zero():
    lines = draw_chart([[1] * 20 + [0, 0] + [1] * 20], width=16, height=4, label=lambda v: f"{v:g}").lines
    assert lines == [
        "1 ┤──────╮╭────•",
        "  ┤      ││     ",
        "  ┤      ││     ",
        "0 ┤      ╰╯     ",
    ]


def test_a_spike_within_one_column_is_drawn_to_its_top():
    lines = draw_chart([[0] * 20 + [5] + [0] * 20], width=16, height=3, label=lambda v: f"{v:g}").lines
    assert lines == [
        "5 ┤      │      ",
        "  ┤      │      ",
        "0 ┤──────┴─────•",
    ]


@pytest.mark.parametrize("width, shown", [
    (160, "src · last 5m · 01:46:40 in 44 ms · PAUSED   tab/1-6 section · r range · p pause · q quit"),
    (60, "src · last 5m · 01:46:40 in 44 ms · PAUSED   tab·1-6·r·p·q"),
    (50, "src · last 5m · 01:46:40 · PAUSED   tab·1-6·r·p·q"),
    (40, "src · last 5m · PAUSED   tab·1-6·r·p·q"),
    (20, "src · last 5m · PAUSED"),
])
def test_status_line_leaves_out_what_does_not_fit(width, shown):
    from monlab.dashboard.widgets.status_line import status_text

    text = status_text("src", "5m", True, 1e9, 0.044, "", width).plain
    assert text == shown.replace("01:46:40", time.strftime("%H:%M:%S", time.localtime(1e9)))  # local time


@pytest.mark.parametrize("width, shown", [
    (120, " 1 §4 reliability   2 §5 performance"),
    (20, " 1 §4   2 §5 performance"),
])
def test_tabs_shorten_the_others_when_the_names_do_not_fit(width, shown):
    from monlab.dashboard.widgets.section_tabs import tab_line

    sections = list(load_catalog().sections)[:2]
    assert tab_line(sections, 1, width).plain == shown


def test_a_long_panel_title_is_shortened_with_an_ellipsis_inside_its_box():
    """At 80 columns §9's title was cut mid-word with no mark (rich crops a box title silently)."""
    from rich.console import Console

    from monlab.catalog import Panel
    from monlab.dashboard.data import PanelData
    from monlab.dashboard.render import panel_box

    console = Console(width=40, record=True, color_system=None)
    console.print(panel_box(PanelData(Panel("p", "Mean request latency, before and after the improvement", "up")), 40))
    top = console.export_text().splitlines()[0]
    assert top.startswith("╭─ Mean request latency") and "… ─╮" in top and len(top) == 40, top
