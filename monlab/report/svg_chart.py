"""An inline SVG line chart from time series: a pure function, no JavaScript, no fonts to fetch."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Callable, Sequence

from monlab.chart_panels import Threshold
from monlab.dashboard.chart import fit_axis
from monlab.shown_text import xml_text as escape

COLORS = ("#2e7d32", "#f9a825", "#00838f", "#8e24aa", "#1565c0", "#c62828", "#6d4c41", "#546e7a")
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 78, 12, 10, 26
LEGEND_ROW = 18
CHAR_PX = 6.4  # about one character of the 11px legend font
THRESHOLD_COLOR = "#c62828"
RESTART_COLOR = "#8e24aa"
TIME_SLACK_S = 1.0


@dataclass(frozen=True)
class ChartSeries:
    name: str
    points: Sequence[tuple[float, float]]  # (unix time, value)


def _clock(t: float) -> str:
    return time.strftime("%H:%M:%S", time.gmtime(t))


def fitted(text: str, pixels: float) -> str:
    """`text` cut with "…" to about `pixels` wide at the legend's font size."""
    room = max(int(pixels / CHAR_PX), 4)
    return text if len(text) <= room else text[:room - 1] + "…"


def svg_line_chart(
    series: Sequence[ChartSeries],
    width: int = 530,
    height: int = 200,
    label: Callable[[float], str] = lambda v: f"{v:g}",
    title: str = "",
    thresholds: Sequence[Threshold] = (),
    empty_reason: str = "",
    time_range: tuple[float, float] | None = None,
    restarts: Sequence[float] = (),
    restart_note: str = "the app restarted",
) -> str:
    """An <svg> with one polyline per series (a gap where a value is not finite), the y range and
    the time range (UTC) on the axes, and a legend under the plot: each series with its last value,
    then each alert threshold. A threshold that fits (fit_axis) is a dashed line on the plot; one
    far beyond the data is an arrow beside the plot's edge, so the data keeps its height. The time
    axis is `time_range` when given (charts of one section share it), else the data's. Each of
    `restarts` on it is a dotted vertical line, explained under the legend by `restart_note`."""
    axis = fit_axis([[v for _, v in s.points] for s in series], thresholds)
    placed = [] if axis is None else [(t, "line") for t in axis.inside] + [(t, "above") for t in axis.above] + \
        [(t, "below") for t in axis.below]
    shown_restarts = [t for t in restarts if axis is not None and _within(t, time_range, series)]
    legend_rows = (len(series) + len(placed) + bool(shown_restarts)) if axis is not None else 0
    total_height = height + LEGEND_ROW * legend_rows
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" width="{width}" '
             f'height="{total_height}" viewBox="0 0 {width} {total_height}">']
    if title:
        parts.append(f"<title>{escape(title)}</title>")
    plot_w = width - MARGIN_LEFT - MARGIN_RIGHT
    plot_h = height - MARGIN_TOP - MARGIN_BOTTOM
    parts.append(f'<rect x="{MARGIN_LEFT}" y="{MARGIN_TOP}" width="{plot_w}" height="{plot_h}" '
                 'fill="#fafafa" stroke="#bbb"/>')
    if axis is None:
        parts.append(f'<text x="{width / 2:.1f}" y="{height / 2:.1f}" text-anchor="middle" '
                     f'class="nodata">{escape(empty_reason or "no data in this window")}</text></svg>')
        return "".join(parts)
    finite_times = [t for s in series for t, v in s.points if math.isfinite(v)]
    t0, t1 = min(finite_times), max(finite_times)
    if time_range is not None:  # never narrower than the data, which a range query may start a step early
        t0, t1 = min(t0, time_range[0]), max(t1, time_range[1])
    t1 = t1 if t1 > t0 else t0 + 1
    low, high = axis.low, axis.high

    def x(t: float) -> float:
        return MARGIN_LEFT + (t - t0) / (t1 - t0) * plot_w

    def y(v: float) -> float:
        return MARGIN_TOP + (1 - (v - low) / (high - low)) * plot_h

    for value, anchor_y in ((high, MARGIN_TOP + 10), (low, MARGIN_TOP + plot_h)):
        parts.append(f'<text x="{MARGIN_LEFT - 6}" y="{anchor_y:.1f}" text-anchor="end" class="axis">'
                     f"{escape(label(value))}</text>")
    for t, anchor in ((t0, "start"), (t1, "end")):
        parts.append(f'<text x="{x(t):.1f}" y="{height - 8}" text-anchor="{anchor}" class="axis">{_clock(t)} UTC</text>')
    for threshold, where in placed:
        parts.append(_threshold_mark(where, y(threshold.value), plot_w, plot_h))
    for t in shown_restarts:
        t = min(max(t, t0), t1)
        parts.append(f'<line class="restart" x1="{x(t):.1f}" x2="{x(t):.1f}" y1="{MARGIN_TOP}" y2="{MARGIN_TOP + plot_h}" '
                     f'stroke="{RESTART_COLOR}" stroke-width="1.5" stroke-dasharray="2,3"/>')
    legend_width = plot_w - 16
    for index, item in enumerate(series):
        color = COLORS[index % len(COLORS)]
        for run in _finite_runs(item.points):
            coords = " ".join(f"{x(t):.1f},{y(v):.1f}" for t, v in run)
            if len(run) == 1:
                (t, v), = run
                parts.append(f'<circle cx="{x(t):.1f}" cy="{y(v):.1f}" r="2" fill="{color}"/>')
            else:
                parts.append(f'<polyline fill="none" stroke="{color}" stroke-width="1.8" points="{coords}"/>')
        last = next((v for _, v in reversed(item.points) if math.isfinite(v)), None)
        shown = f"{item.name}  {label(last)}" if last is not None else f"{item.name}  no data"
        legend_y = height + LEGEND_ROW * index + 12
        parts.append(f'<rect x="{MARGIN_LEFT}" y="{legend_y - 9}" width="10" height="10" fill="{color}"/>'
                     f'<text x="{MARGIN_LEFT + 16}" y="{legend_y}" class="legend">{escape(fitted(shown, legend_width))}</text>')
    for row, (threshold, where) in enumerate(placed, start=len(series)):
        legend_y = height + LEGEND_ROW * row + 12
        side = {"line": "", "above": " (above the chart)", "below": " (below the chart)"}[where]
        shown = f"alert {threshold.name} when {threshold.op} {label(threshold.value)}{side}"
        parts.append(f'<line x1="{MARGIN_LEFT}" x2="{MARGIN_LEFT + 10}" y1="{legend_y - 4}" y2="{legend_y - 4}" '
                     f'stroke="{THRESHOLD_COLOR}" stroke-width="2" stroke-dasharray="3,2"/>'
                     f'<text x="{MARGIN_LEFT + 16}" y="{legend_y}" class="legend threshold-legend">'
                     f"{escape(fitted(shown, legend_width))}</text>")
    if shown_restarts:
        legend_y = height + LEGEND_ROW * (len(series) + len(placed)) + 12
        shown = f"{restart_note} at {', '.join(_clock(t) for t in shown_restarts)} UTC"
        parts.append(f'<line x1="{MARGIN_LEFT + 5}" x2="{MARGIN_LEFT + 5}" y1="{legend_y - 10}" y2="{legend_y + 1}" '
                     f'stroke="{RESTART_COLOR}" stroke-width="1.5" stroke-dasharray="2,3"/>'
                     f'<text x="{MARGIN_LEFT + 16}" y="{legend_y}" class="legend restart-legend">'
                     f"{escape(fitted(shown, legend_width))}</text>")
    parts.append("</svg>")
    return "".join(parts)


def _within(t: float, time_range: tuple[float, float] | None, series: Sequence[ChartSeries]) -> bool:
    if time_range is not None:  # Prometheus' millisecond times may end just past the range
        return time_range[0] - TIME_SLACK_S <= t <= time_range[1] + TIME_SLACK_S
    times = [p for s in series for p, v in s.points if math.isfinite(v)]
    return bool(times) and min(times) <= t <= max(times)


def _threshold_mark(where: str, line_y: float, plot_w: float, plot_h: float) -> str:
    """A dashed line across the plot, or a red arrow in the right margin at its top or bottom edge."""
    if where == "line":
        return (f'<line class="threshold" x1="{MARGIN_LEFT}" x2="{MARGIN_LEFT + plot_w}" y1="{line_y:.1f}" '
                f'y2="{line_y:.1f}" stroke="{THRESHOLD_COLOR}" stroke-dasharray="5,4"/>')
    tip_x = MARGIN_LEFT + plot_w + MARGIN_RIGHT / 2
    edge, point = (MARGIN_TOP + 8, MARGIN_TOP + 1) if where == "above" else (MARGIN_TOP + plot_h - 8, MARGIN_TOP + plot_h - 1)
    return (f'<polygon class="threshold-{where}" fill="{THRESHOLD_COLOR}" '
            f'points="{tip_x - 5},{edge} {tip_x + 5},{edge} {tip_x},{point}"/>')


def _finite_runs(points: Sequence[tuple[float, float]]) -> list[list[tuple[float, float]]]:
    runs: list[list[tuple[float, float]]] = [[]]
    for t, v in points:
        if math.isfinite(v):
            runs[-1].append((t, v))
        elif runs[-1]:
            runs.append([])
    return [run for run in runs if run]
