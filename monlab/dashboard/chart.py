"""Text charts for a terminal: pure functions from numbers to lines of characters.

The dashboard, the lab output and anything else that draws a series in a terminal uses these, so a
chart looks the same everywhere and is tested once.
"""

from __future__ import annotations

import math
from typing import Callable, Sequence

BLOCKS = "▁▂▃▄▅▆▇█"
MARKERS = "•×+o*#%@"  # one per series, in legend order
JOIN = "│"


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


def line_chart(
    series: Sequence[Sequence[float | None]],
    width: int,
    height: int,
    label: Callable[[float], str] = lambda v: f"{v:g}",
) -> list[str]:
    """`height` lines of exactly `width` characters: a y-axis with the high and low values, and each
    series drawn with its marker (MARKERS, in order), joined vertically where it jumps."""
    height = max(height, 2)
    bounds = value_range(series)
    if bounds is None:
        return ["no data".center(width)[:width]] + [" " * width] * (height - 1)
    low, high = bounds
    labels = [label(high), label(low)]
    gutter = max(len(t) for t in labels) + 1
    plot_width = max(width - gutter - 1, 1)
    grid = [[" "] * plot_width for _ in range(height)]
    for index, values in enumerate(series):
        marker = MARKERS[index % len(MARKERS)]
        previous: int | None = None
        for x, value in enumerate(resample(values, plot_width)):
            if not finite(value):
                previous = None
                continue
            row = _row(value, low, high, height)
            if previous is not None and abs(row - previous) > 1:
                step = 1 if row > previous else -1
                for between in range(previous + step, row, step):
                    if grid[between][x] == " ":
                        grid[between][x] = JOIN
            grid[row][x] = marker
            previous = row
    lines = []
    for y, cells in enumerate(grid):
        axis = labels[0] if y == 0 else labels[1] if y == height - 1 else ""
        lines.append((axis.rjust(gutter - 1) + " ┤" + "".join(cells))[:width].ljust(width))
    return lines
