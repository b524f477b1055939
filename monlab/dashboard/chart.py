"""Text charts for a terminal: pure functions from numbers to lines of characters.

The dashboard, the lab output and anything else that draws a series in a terminal uses these, so a
chart looks the same everywhere and is tested once.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Sequence

from monlab.chart_panels import Threshold

BLOCKS = "▁▂▃▄▅▆▇█"
MARKERS = "•×+o*#%@"  # one per series, in legend order
JOIN = "│"
RULE = "╌"  # a threshold's row
EVENT = "┊"  # a column where something happened (the app restarted)
MAX_STRETCH = 2.0  # thresholds may widen the data's span up to this factor; farther ones sit at an edge


def finite(value: float | None) -> bool:
    return value is not None and math.isfinite(value)


def resample(values: Sequence[float | None], width: int) -> list[float | None]:
    """`values` squeezed or stretched to `width` columns: the mean of the finite values that fall
    in each column, None where none do."""
    if width <= 0 or not values:
        return [None] * max(width, 0)
    columns: list[float | None] = []
    for column in range(width):
        first = column * len(values) // width
        last = max(first + 1, (column + 1) * len(values) // width)
        chunk = [v for v in values[first:last] if finite(v)]
        columns.append(math.fsum(chunk) / len(chunk) if chunk else None)
    return columns


def columns_of(values: Sequence[float | None], width: int) -> list[list[float]]:
    """`values` squeezed or stretched to `width` columns: the finite values that fall in each
    column, in order (so a short dip to 0 among many points still reaches 0 on the chart)."""
    if width <= 0 or not values:
        return [[] for _ in range(max(width, 0))]
    columns = []
    for column in range(width):
        first = column * len(values) // width
        last = max(first + 1, (column + 1) * len(values) // width)
        columns.append([v for v in values[first:last] if finite(v)])
    return columns


def value_range(series: Sequence[Sequence[float | None]]) -> tuple[float, float] | None:
    """(low, high) over every finite value, widened when flat so a constant still has a height."""
    seen = [v for values in series for v in values if finite(v)]
    if not seen:
        return None
    low, high = min(seen), max(seen)
    if low == high:
        pad = abs(low) * 0.1 or 1.0
        low, high = (0.0, high) if low > 0 else (low - pad, high + pad) if low < 0 else (low, low + pad)
    return low, high


@dataclass(frozen=True)
class Axis:
    """A chart's value range and where each threshold went: on the chart, or beyond its top or
    bottom edge (drawn there with its value, so the data keeps its height)."""
    low: float
    high: float
    inside: tuple[Threshold, ...] = ()
    above: tuple[Threshold, ...] = ()
    below: tuple[Threshold, ...] = ()


def fit_axis(series: Sequence[Sequence[float | None]], thresholds: Sequence[Threshold] = ()) -> Axis | None:
    """The data's range, widened for each threshold (nearest first) while the data still fills at
    least 1/MAX_STRETCH of the height; None without data."""
    bounds = value_range(series)
    if bounds is None:
        return None
    low, high = bounds
    allowed = (high - low) * MAX_STRETCH
    inside, above, below = [], [], []
    middle = (low + high) / 2
    for threshold in sorted(thresholds, key=lambda t: abs(t.value - middle)):
        value = threshold.value
        if max(high, value) - min(low, value) <= allowed:
            low, high = min(low, value), max(high, value)
            inside.append(threshold)
        else:
            (above if value > high else below).append(threshold)
    return Axis(low, high, tuple(inside), tuple(above), tuple(below))


def sparkline(values: Sequence[float | None], width: int) -> str:
    """One row of block characters; a blank where a column has no value."""
    columns = resample(values, width)
    bounds = value_range([columns])
    if bounds is None:
        return " " * width
    low, high = bounds
    top = len(BLOCKS) - 1
    return "".join(
        BLOCKS[round((v - low) / (high - low) * top)] if finite(v) else " " for v in columns
    )


def _row(value: float, low: float, high: float, height: int) -> int:
    """The grid row of `value`, 0 at the top."""
    return height - 1 - round((value - low) / (high - low) * (height - 1))


NO_SERIES = -1
THRESHOLD = -2
MARK = -3


@dataclass(frozen=True)
class Drawing:
    """A chart's lines, and for each character whose it is: a series' index, THRESHOLD, MARK or
    NO_SERIES (the axis, blanks), so a view can colour each series' line."""
    lines: list[str]
    owners: list[list[int]]


def _corners(start: int, end: int, low: int, high: int) -> dict[int, str]:
    """The characters of one column a line enters at row `start` and leaves at row `end`, having
    passed every row from `low` to `high` (rows grow downwards): │ in between, corners where it
    turns, ┬/┴ where it dips or peaks and comes back."""
    cells = {row: JOIN for row in range(low, high + 1)}
    if low == high:
        cells[start] = "─"
    elif start == end:
        cells[start] = "┬" if high > start else "┴"
    else:
        up = end < start
        cells[start] = "╯" if up else "╮"
        cells[end] = "╭" if up else "╰"
    return cells


def _trace(grid: list[list[str]], owners: list[list[int]], columns: list[list[int]], index: int) -> None:
    """One series as a continuous line of box-drawing characters (the way asciichart draws): a
    level run is ─, a rise or fall turns the corner within its column, a column holding several
    values spans them all; its last point gets the series' marker, so each line can be told apart
    without colour."""
    previous: int | None = None
    for x, rows in enumerate(columns):
        if not rows:
            previous = None
            continue
        start = rows[0] if previous is None else previous
        passed = [start, *rows]
        for row, char in _corners(start, rows[-1], min(passed), max(passed)).items():
            grid[row][x], owners[row][x] = char, index
        previous = rows[-1]
    last = max((x for x, rows in enumerate(columns) if rows), default=None)
    if last is not None:
        row = columns[last][-1]
        grid[row][last], owners[row][last] = MARKERS[index % len(MARKERS)], index


def draw_chart(
    series: Sequence[Sequence[float | None]],
    width: int,
    height: int,
    label: Callable[[float], str] = lambda v: f"{v:g}",
    thresholds: Sequence[Threshold] = (),
    marks: Sequence[float] = (),
) -> Drawing:
    """`height` lines of exactly `width` characters: a y-axis with the high and low values, each
    series as a line (_trace), each threshold that fits (fit_axis) as a dashed row behind them, and
    each of `marks` (a place on the time axis, 0 the left end, 1 the right) as a dotted column."""
    height = max(height, 2)
    axis = fit_axis(series, thresholds)
    if axis is None:
        lines = ["no data".center(width)[:width]] + [" " * width] * (height - 1)
        return Drawing(lines, [[NO_SERIES] * width for _ in lines])
    low, high = axis.low, axis.high
    labels = [label(high), label(low)]
    gutter = max(len(t) for t in labels) + 1
    plot_width = max(width - gutter - 1, 1)
    grid = [[" "] * plot_width for _ in range(height)]
    owners = [[NO_SERIES] * plot_width for _ in range(height)]
    for threshold in axis.inside:
        row = _row(threshold.value, low, high, height)
        grid[row], owners[row] = [RULE] * plot_width, [THRESHOLD] * plot_width
    for place in marks:
        if 0 <= place <= 1:
            column = round(place * (plot_width - 1))
            for row in range(height):
                grid[row][column], owners[row][column] = EVENT, MARK
    for index, values in enumerate(series):
        columns = [[_row(v, low, high, height) for v in column] for column in columns_of(values, plot_width)]
        _trace(grid, owners, columns, index)
    lines, line_owners = [], []
    for y, cells in enumerate(grid):
        tick = labels[0] if y == 0 else labels[1] if y == height - 1 else ""
        prefix = tick.rjust(gutter - 1) + " ┤"
        lines.append((prefix + "".join(cells))[:width].ljust(width))
        line_owners.append(([NO_SERIES] * len(prefix) + owners[y] + [NO_SERIES] * width)[:width])
    return Drawing(lines, line_owners)

