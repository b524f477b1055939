"""An inline SVG line chart from time series: a pure function, no JavaScript, no fonts to fetch."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Callable, Sequence

from monlab.shown_text import xml_text as escape

COLORS = ("#2e7d32", "#f9a825", "#00838f", "#8e24aa", "#1565c0", "#c62828", "#6d4c41", "#546e7a")
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 78, 12, 10, 26
LEGEND_ROW = 18


@dataclass(frozen=True)
class ChartSeries:
    name: str
    points: Sequence[tuple[float, float]]  # (unix time, value)


def _bounds(values: list[float]) -> tuple[float, float]:
    low, high = min(values), max(values)
    if low == high:
        pad = abs(low) * 0.1 or 1.0
        return (0.0, high) if low > 0 else (low - pad, high + pad) if low < 0 else (low, low + pad)
    return low, high


def _clock(t: float) -> str:
    return time.strftime("%H:%M:%S", time.gmtime(t))


def svg_line_chart(
    series: Sequence[ChartSeries],
    width: int = 530,
    height: int = 200,
    label: Callable[[float], str] = lambda v: f"{v:g}",
    title: str = "",
    thresholds: Sequence[tuple[str, float]] = (),
) -> str:
    """An <svg> with one polyline per series (a gap where a value is not finite), the y range and
    the time range (UTC) on the axes, a dashed line per threshold (e.g. an alert's), and a legend
    under the plot."""
    finite_points = [(t, v) for s in series for t, v in s.points if math.isfinite(v)]
    legend_height = LEGEND_ROW * len(series)
    total_height = height + legend_height
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" width="{width}" '
             f'height="{total_height}" viewBox="0 0 {width} {total_height}">']
    if title:
        parts.append(f"<title>{escape(title)}</title>")
    plot_w = width - MARGIN_LEFT - MARGIN_RIGHT
    plot_h = height - MARGIN_TOP - MARGIN_BOTTOM
    parts.append(f'<rect x="{MARGIN_LEFT}" y="{MARGIN_TOP}" width="{plot_w}" height="{plot_h}" '
                 'fill="#fafafa" stroke="#bbb"/>')
    if not finite_points:
        parts.append(f'<text x="{width / 2:.1f}" y="{height / 2:.1f}" text-anchor="middle" '
                     'class="nodata">no data in this window</text></svg>')
        return "".join(parts)
    t0, t1 = min(t for t, _ in finite_points), max(t for t, _ in finite_points)
    t1 = t1 if t1 > t0 else t0 + 1
    low, high = _bounds([v for _, v in finite_points] + [v for _, v in thresholds])

    def x(t: float) -> float:
        return MARGIN_LEFT + (t - t0) / (t1 - t0) * plot_w

    def y(v: float) -> float:
        return MARGIN_TOP + (1 - (v - low) / (high - low)) * plot_h

    for value, anchor_y in ((high, MARGIN_TOP + 10), (low, MARGIN_TOP + plot_h)):
        parts.append(f'<text x="{MARGIN_LEFT - 6}" y="{anchor_y:.1f}" text-anchor="end" class="axis">'
                     f"{escape(label(value))}</text>")
    for t, anchor in ((t0, "start"), (t1, "end")):
        parts.append(f'<text x="{x(t):.1f}" y="{height - 8}" text-anchor="{anchor}" class="axis">{_clock(t)} UTC</text>')
    for name, value in thresholds:
        parts.append(f'<line class="threshold" x1="{MARGIN_LEFT}" x2="{MARGIN_LEFT + plot_w}" y1="{y(value):.1f}" '
                     f'y2="{y(value):.1f}" stroke="#c62828" stroke-dasharray="5,4"/>'
                     f'<text x="{MARGIN_LEFT + plot_w - 4}" y="{y(value) - 4:.1f}" text-anchor="end" class="axis">'
                     f"{escape(name)} {escape(label(value))}</text>")
    for index, item in enumerate(series):
        color = COLORS[index % len(COLORS)]
        for run in _finite_runs(item.points):
            coords = " ".join(f"{x(t):.1f},{y(v):.1f}" for t, v in run)
            if len(run) == 1:
                (t, v), = run
                parts.append(f'<circle cx="{x(t):.1f}" cy="{y(v):.1f}" r="2" fill="{color}"/>')
            else:
                parts.append(f'<polyline fill="none" stroke="{color}" stroke-width="1.8" points="{coords}"/>')
        legend_y = height + LEGEND_ROW * index + 12
        parts.append(f'<rect x="{MARGIN_LEFT}" y="{legend_y - 9}" width="10" height="10" fill="{color}"/>'
                     f'<text x="{MARGIN_LEFT + 16}" y="{legend_y}" class="legend">{escape(item.name)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _finite_runs(points: Sequence[tuple[float, float]]) -> list[list[tuple[float, float]]]:
    runs: list[list[tuple[float, float]]] = [[]]
    for t, v in points:
        if math.isfinite(v):
            runs[-1].append((t, v))
        elif runs[-1]:
            runs.append([])
    return [run for run in runs if run]
