"""A Snapshot drawn with rich: per section a titled box, time series as text line charts with
legends, stat panels as big numbers, and the section's alert states. `--once` prints this; the
live dashboard's widgets reuse the per-panel pieces."""

from __future__ import annotations

import time

from rich import box
from rich.console import Group, RenderableType
from rich.panel import Panel as Box
from rich.table import Table
from rich.text import Text

from monlab.dashboard.chart import JOIN, MARKERS, line_chart
from monlab.dashboard.data import AlertData, PanelData, SectionData, Snapshot
from monlab.dashboard.units import format_value
from monlab.shown_text import printable

COLORS = ("green", "yellow", "cyan", "magenta", "blue", "red", "bright_green", "bright_yellow")
STATE_STYLES = {"firing": "bold red", "pending": "yellow", "inactive": "green", "unknown": "dim"}
CHART_HEIGHT = 7
PANELS_PER_ROW = 3


def section_heading(data: SectionData) -> str:
    return printable(f"§{data.section.number} {data.section.title}")


def colored_chart_line(line: str) -> Text:
    text = Text(line)
    for index, char in enumerate(line):
        if char in MARKERS:
            text.stylize(COLORS[MARKERS.index(char) % len(COLORS)], index, index + 1)
        elif char == JOIN:
            text.stylize("dim", index, index + 1)
    return text


def legend(data: PanelData) -> Text:
    text = Text()
    for index, line in enumerate(data.lines):
        if index:
            text.append("  ")
        color = COLORS[index % len(COLORS)]
        text.append(f"{MARKERS[index % len(MARKERS)]} ", style=color)
        text.append(f"{line.name} {format_value(line.last, data.panel.unit)}")
    return text


def timeseries_body(data: PanelData, width: int, height: int = CHART_HEIGHT) -> RenderableType:
    if data.error:
        return Text(printable(data.error), style="red")
    if not data.lines:
        return Text("no data in this range", style="dim")
    lines = line_chart([line.values for line in data.lines], width, height,
                       label=lambda v: format_value(v, data.panel.unit))
    return Group(*(colored_chart_line(line) for line in lines), legend(data))


def stat_body(data: PanelData) -> RenderableType:
    if data.error:
        return Text(printable(data.error), style="red")
    value = format_value(data.last, data.panel.unit)
    style = "bold" if data.last is not None else "dim"
    return Text(f"\n{value}\n", style=f"{style} cyan", justify="center")


def panel_box(data: PanelData, width: int) -> Box:
    inner = max(width - 4, 10)
    body = stat_body(data) if data.panel.kind == "stat" else timeseries_body(data, inner)
    return Box(body, title=Text(printable(data.panel.title)), title_align="left", width=width,
               box=box.ROUNDED)


def alert_line(alerts: list[AlertData]) -> Text:
    text = Text("Alerts: " if alerts else "No alerts in this section.", style="bold" if alerts else "dim")
    for index, alert in enumerate(alerts):
        if index:
            text.append(" · ")
        text.append(printable(f"{alert.name} ({alert.severity}) Prometheus "))
        text.append(alert.prometheus, style=STATE_STYLES.get(alert.prometheus, ""))
        if alert.grafana is not None:
            text.append(" Grafana ")
            text.append(alert.grafana, style=STATE_STYLES.get(alert.grafana, ""))
    return text


def section_box(data: SectionData, width: int) -> Box:
    per_row = max(1, min(PANELS_PER_ROW, len(data.panels)))
    panel_width = max((width - 4) // per_row, 24)
    grid = Table.grid(padding=(0, 0))
    for _ in range(per_row):
        grid.add_column()
    boxes = [panel_box(p, panel_width) for p in data.panels]
    for first in range(0, len(boxes), per_row):
        row = boxes[first:first + per_row]
        grid.add_row(*row, *([""] * (per_row - len(row))))
    return Box(Group(grid, alert_line(data.alerts)), title=Text(section_heading(data)), title_align="left",
               width=width, box=box.HEAVY)


def header(snapshot: Snapshot, project: str) -> Text:
    taken = time.strftime("%H:%M:%S", time.localtime(snapshot.taken_at))
    text = Text(printable(f"monlab dashboard · {project} · last {snapshot.range_text} · {taken} · ")
                + f"refresh {snapshot.seconds * 1000:.0f} ms", style="bold")
    if snapshot.problem:
        text.append(f"\n{printable(snapshot.problem)}", style="bold red")
    return text


def render_snapshot(snapshot: Snapshot, width: int, project: str = "") -> Group:
    return Group(header(snapshot, project), *(section_box(s, width) for s in snapshot.sections))
