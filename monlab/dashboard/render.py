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

from monlab.dashboard.chart import EVENT, MARK, MARKERS, RULE, THRESHOLD, draw_chart, fit_axis
from monlab.dashboard.restarts import on_raw_counter
from monlab.dashboard.data import AlertData, PanelData, SectionData, Snapshot
from monlab.dashboard.units import format_value
from monlab.shown_text import printable

COLORS = ("green", "yellow", "cyan", "magenta", "blue", "red", "bright_green", "bright_yellow")
STATE_STYLES = {"firing": "bold red", "pending": "yellow", "inactive": "green", "unknown": "dim"}
CHART_HEIGHT = 7
PANELS_PER_ROW = 3
MIN_PANEL_WIDTH = 36  # narrower, a chart's axis labels leave too little room for the line


def section_heading(data: SectionData) -> str:
    return printable(f"§{data.section.number} {data.section.title}")


def colored_chart_line(line: str, owners: list[int]) -> Text:
    """Each series' characters in its colour, thresholds in red."""
    text = Text(line)
    for index, owner in enumerate(owners):
        if owner == THRESHOLD:
            text.stylize("red", index, index + 1)
        elif owner == MARK:
            text.stylize("bold magenta", index, index + 1)
        elif owner >= 0:
            text.stylize(COLORS[owner % len(COLORS)], index, index + 1)
    return text


def threshold_legend(data: PanelData, width: int) -> list[Text]:
    """Each threshold drawn, or the edge it lies beyond with its value (the data keeps its height)."""
    axis = fit_axis([line.values for line in data.lines], data.thresholds)
    if axis is None:
        return []
    placed = [(t, RULE, "") for t in axis.inside] + [(t, "▲", " (above)") for t in axis.above] + \
        [(t, "▼", " (below)") for t in axis.below]
    return packed([legend_item(Text(mark, style="red"), t.name, f"{t.op} {format_value(t.value, data.panel.unit)}{where}", width)
                   for t, mark, where in placed], width)


def cut(text: str, room: int) -> str:
    return text if len(text) <= room else text[:max(room - 1, 0)] + "…"


def legend_item(mark: Text, name: str, value: str, width: int) -> Text:
    """`mark name value` on one line of at most `width`: the name is cut, never the value."""
    room = width - len(mark) - len(value) - 2
    item = mark.copy()
    item.append(f" {cut(name, max(room, 3))} ")
    item.append(value, style="bold")
    return item


def packed(items: list[Text], width: int) -> list[Text]:
    """Items side by side while they fit in `width`, two spaces apart; never one split over lines."""
    lines: list[Text] = []
    for item in items:
        if lines and len(lines[-1]) + 2 + len(item) <= width:
            lines[-1].append("  ")
            lines[-1].append_text(item)
        else:
            lines.append(item.copy())
    return lines


def legend(data: PanelData, width: int) -> list[Text]:
    """Each series' marker, short name and last value, in as few lines of `width` as fit."""
    items = [legend_item(Text(MARKERS[i % len(MARKERS)], style=COLORS[i % len(COLORS)]), line.name,
                         format_value(line.last, data.panel.unit), width)
             for i, line in enumerate(data.lines)]
    return packed(items, width)


def restart_places(data: PanelData) -> tuple[list[float], list[float]]:
    """The app's restarts within the panel's time span: (times, places on its axis from 0 to 1)."""
    span = data.time_span
    if span is None or span[1] <= span[0]:
        return [], []
    slack = 1.0  # Prometheus returns times to the millisecond: the range's own end may come back later
    times = [t for t in data.restarts if span[0] - slack <= t <= span[1] + slack]
    return times, [min(max((t - span[0]) / (span[1] - span[0]), 0.0), 1.0) for t in times]


def restart_legend(data: PanelData, times: list[float], width: int) -> list[Text]:
    """What the dotted columns mean; on raw counters, that the drop to 0 is the restart."""
    if not times:
        return []
    when = ", ".join(time.strftime("%H:%M:%S", time.localtime(t)) for t in times)
    note = "counters restarted" if on_raw_counter(data.panel.expr) else "the app restarted"  # fits 80 columns
    return [legend_item(Text(EVENT, style="bold magenta"), note, when, width)]


def timeseries_body(data: PanelData, width: int, height: int = CHART_HEIGHT, fit_height: int | None = None) -> RenderableType:
    """The chart of `height` lines and its legends under it; with `fit_height`, the chart takes what
    the legends leave of that many lines."""
    if data.error:
        return Text(printable(data.error), style="red")
    if not data.has_values:
        return Text(data.empty_reason or "no data in this range", style="dim")
    restart_times, places = restart_places(data)
    legends = legend(data, width) + threshold_legend(data, width) + restart_legend(data, restart_times, width)
    if fit_height is not None:
        height = max(fit_height - len(legends), 3)
    drawing = draw_chart([line.values for line in data.lines], width, height,
                         label=lambda v: format_value(v, data.panel.unit), thresholds=data.thresholds, marks=places)
    return Group(*(colored_chart_line(line, owners) for line, owners in zip(drawing.lines, drawing.owners)), *legends)


def stat_body(data: PanelData) -> RenderableType:
    if data.error:
        return Text(printable(data.error), style="red")
    if not data.has_values:
        return Text(f"\n{data.empty_reason or 'no data'}\n", style="dim", justify="center")
    text = Text(f"\n{format_value(data.last, data.panel.unit)}\n", style="bold cyan", justify="center")
    restart_times, _ = restart_places(data)
    if restart_times and on_raw_counter(data.panel.expr):  # the number dropped: say why beside it
        last = time.strftime("%H:%M:%S", time.localtime(restart_times[-1]))
        text.append(f"{EVENT} since restart {last}\n", style="magenta")
    return text


def panel_box(data: PanelData, width: int) -> Box:
    inner = max(width - 4, 10)
    body = stat_body(data) if data.panel.kind == "stat" else timeseries_body(data, inner)
    title = Text(printable(data.panel.title))
    title.truncate(max(width - 6, 4), overflow="ellipsis")  # rich cuts a long box title without a mark
    return Box(body, title=title, title_align="left", width=width, box=box.ROUNDED)


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
    per_row = max(1, min(PANELS_PER_ROW, len(data.panels), (width - 4) // MIN_PANEL_WIDTH))
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


def header(snapshot: Snapshot, project: str, width: int = 200) -> Text:
    """One line: what is shown, from where, since when; the least needed parts left out to fit."""
    taken = time.strftime("%H:%M:%S", time.localtime(snapshot.taken_at))
    shown_range = f"last {snapshot.range_text}"
    if snapshot.data_since is not None:
        shown_range += f" (data since {time.strftime('%H:%M:%S', time.localtime(snapshot.data_since))})"
    parts = ["monlab dashboard", printable(project), shown_range, taken, f"refresh {snapshot.seconds * 1000:.0f} ms"]
    for optional in ("monlab dashboard", parts[-1]):
        if len(" · ".join(parts)) > width:
            parts.remove(optional)
    text = Text(" · ".join(parts), style="bold")
    if snapshot.problem:
        text.append(f"\n{printable(snapshot.problem)}", style="bold red")
    return text


def render_snapshot(snapshot: Snapshot, width: int, project: str = "") -> Group:
    return Group(header(snapshot, project, width), *(section_box(s, width) for s in snapshot.sections))
