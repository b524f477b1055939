"""The `chart` step against real processes (tests/lab_fixtures.py): the reliability section's uptime
drop and recovery drawn as a text chart on a terminal, and as plain lines when not a TTY."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from lab_fixtures import FAST, local_stack
from monlab.catalog import load_catalog
from monlab.lab.model import load_lab, load_labs
from monlab.lab.runner import run_lab
from monlab.lab.view import LabView

pytestmark = pytest.mark.prometheus
CHARTED = {  # the "where a section's point is a change over time"
    "reliability": {"app-uptime"},
    "performance": {"avg-latency", "request-rate"},
    "capacity": {"total-request-rate"},
    "security": {"failed-login-rate"},
    "business": {"revenue-total"},
    "improvement": {"latency-before-after", "fast-share"},
}


def test_every_section_declares_its_charts_in_its_lab_file():
    charted = {lab.name: {s.params.panel.id for s in lab.steps if s.kind == "chart"} for lab in load_labs()}
    assert charted == CHARTED


@pytest.fixture(scope="module")
def stack(prometheus_binary, tmp_path_factory):
    with local_stack(prometheus_binary, tmp_path_factory.mktemp("lab-charts")) as running:
        yield running


def run_reliability(stack, console: Console):
    catalog = load_catalog()
    result = run_lab(load_lab(catalog.section("reliability"), catalog), stack, catalog, LabView(console), timing=FAST)
    assert result.passed, [f"{c.name}: {c.detail}" for c in result.checks if c.failed]
    return result


def test_not_a_tty_gets_plain_lines_with_the_drop_and_recovery(stack):
    out = io.StringIO()
    result = run_reliability(stack, Console(file=out, width=200, color_system=None))
    text = out.getvalue()
    assert "  App uptime (flask-app-uptime):" in text
    [line] = [line for line in text.splitlines() if line.startswith("    up:")]  # one series: its metric's name
    assert "start 1, lowest 0, highest 1, last 1" in line
    assert "┤" not in text  # no chart drawing in logs
    assert not [c for c in result.checks if "since stopped" in c.name]  # a chart is no check


@pytest.mark.parametrize("width", [60, 110])
def test_a_terminal_gets_a_chart_as_wide_as_it_is(stack, width):
    out = io.StringIO()
    run_reliability(stack, Console(file=out, width=width, force_terminal=True, color_system=None))
    lines = out.getvalue().splitlines()
    start = lines.index("  App uptime (flask-app-uptime)")
    chart = lines[start + 1:start + 9]
    assert all("┤" in line for line in chart)
    assert max(len(line) for line in chart) <= width - 2
    assert chart[0].lstrip().startswith("1 ┤") and chart[-1].lstrip().startswith("0 ┤")
    line_chars = set("─╭╮╯╰•")
    assert line_chars & set(chart[0]) and line_chars & set(chart[-1])  # up, then down at 0 (and up again)
    assert "╮" in chart[0] and "╰" in chart[-1] and "╯" in chart[-1] and "╭" in chart[0]  # the drop and the recovery
    assert all("│" in line for line in chart[1:-1])  # one line, joined where it drops and recovers
