"""A panel's range-query series as lab output: a coloured text chart for a terminal, or plain lines
(start, lowest, highest, last per series) for logs and pipes."""

from __future__ import annotations

import math
import time

from rich.text import Text

from monlab.catalog import Panel
from monlab.chart_panels import Threshold
from monlab.dashboard.data import Line, PanelData, legend_names
from monlab.dashboard.render import timeseries_body
from monlab.dashboard.restarts import on_raw_counter
from monlab.dashboard.units import format_value
from monlab.prometheus_api import RangeSeries
from monlab.shown_text import printable

CHART_HEIGHT = 8


def panel_data(panel: Panel, series: list[RangeSeries], thresholds: tuple[Threshold, ...] = (),
               restarts: tuple[float, ...] = ()) -> PanelData:
    names = legend_names(panel.legend, [s.labels for s in series])
    lines = [Line(name, s.points) for name, s in zip(names, series)]
    return PanelData(panel, sorted(lines, key=lambda line: line.name), thresholds=thresholds, restarts=restarts)


def chart_lines(panel: Panel, series: list[RangeSeries], width: int, thresholds: tuple[Threshold, ...] = (),
                restarts: tuple[float, ...] = ()) -> list:
    data = panel_data(panel, series, thresholds, restarts)
    return [Text(f"  {printable(panel.title)}", style="bold"), timeseries_body(data, max(width, 20), CHART_HEIGHT)]


def plain_lines(panel: Panel, series: list[RangeSeries], thresholds: tuple[Threshold, ...] = (),
                restarts: tuple[float, ...] = ()) -> list[str]:
    data = panel_data(panel, series, thresholds, restarts)
    if not data.lines:
        return [f"  {printable(panel.title)}: no data since the mark"]
    lines = [f"  {printable(panel.title)}:"]
    for line in data.lines:
        values = [v for v in line.values if math.isfinite(v)]
        if not values:
            lines.append(f"    {line.name}: no values")
            continue

        def shown(value: float) -> str:
            return format_value(value, panel.unit)

        lines.append(f"    {line.name}: start {shown(values[0])}, lowest {shown(min(values))}, "
                     f"highest {shown(max(values))}, last {shown(values[-1])} ({len(values)} points)")
    for threshold in thresholds:
        value = format_value(threshold.value, panel.unit)
        lines.append(printable(f"    alert {threshold.name} fires when {threshold.op} {value}"))
    if restarts:
        when = ", ".join(time.strftime("%H:%M:%S", time.localtime(t)) for t in restarts)
        lines.append(f"    the app restarted at {when}" + (": counters start again from 0" if on_raw_counter(panel.expr) else ""))
    return lines
