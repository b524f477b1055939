"""Table tests of the dashboard's pure parts: text charts, units, legends, query steps."""

from __future__ import annotations

import math

import pytest

from monlab.dashboard.chart import line_chart, resample, sparkline, value_range
from monlab.dashboard.data import Line, legend_name, on_grid, step_for
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


def test_line_chart_draws_a_drop_and_recovery_with_axis_labels():
    lines = line_chart([[1, 1, 0, 0, 1, 1]], width=9, height=3, label=lambda v: f"{v:g}")
    assert lines == [
        "1 ┤••  ••",
        "  ┤  │ │ ",
        "0 ┤  ••  ",
    ]


@pytest.mark.parametrize("series, top, bottom", [
    ([[0, 1, 2, 3]], "   •", "•   "),
    ([[3, 2, 1, 0]], "•   ", "   •"),
    ([[0, 0, 0, 0], [3, 3, 3, 3]], "××××", "••••"),  # the second series has the second marker
])
def test_line_chart_places_points_by_value(series, top, bottom):
    lines = line_chart(series, width=7, height=4, label=lambda v: f"{v:g}")
    assert [line[3:] for line in (lines[0], lines[-1])] == [top, bottom]


def test_line_chart_without_data_says_so():
    lines = line_chart([[NAN]], width=12, height=3)
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
    ("", {"__name__": "up", "job": "a", "instance": "b"}, '{instance="b", job="a"}'),
    ("", {"__name__": "up"}, "up"),
    ("", {}, "value"),
])
def test_legend_name(template, labels, name):
    assert legend_name(template, labels) == name


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
