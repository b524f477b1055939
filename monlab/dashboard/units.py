"""Values in the catalog's Grafana units, written for a reader."""

from __future__ import annotations

import math


def _compact(value: float) -> str:
    for size, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= size:
            return f"{value / size:.3g}{suffix}"
    if value == 0 or abs(value) >= 0.01:
        return f"{value:.3g}"
    return f"{value:.2e}"


def format_value(value: float | None, unit: str = "short") -> str:
    if value is None or not math.isfinite(value):
        return "–"
    if unit == "percentunit":
        return f"{value * 100:.3g}%"
    if unit == "s":
        if value != 0 and abs(value) < 1:
            return f"{value * 1000:.3g} ms"
        return f"{value:.3g} s"
    if unit == "reqps":
        return f"{_compact(value)} req/s"
    if unit == "currencyUSD":
        return f"${value:,.2f}"
    return _compact(value)
