"""Numbers written for a reader, in one place: the terminal, the report, the dashboard and the JSON's
text fields all say durations in ms/s, rates in req/s, counts with thousands separators and ratios
with two significant decimals; never e-notation, never cut short.

Units are the catalog's (Grafana's) unit names, plus `ratio` for a figure that divides two others.
"""

from __future__ import annotations

import math

NO_VALUE = "–"
RATIO_SIGN = "×"


def plain(value: float, digits: int = 3) -> str:
    """`value` to `digits` significant digits (more when its integer part is longer), in fixed point
    with thousands separators, trailing zeros dropped: 0.0000497, 1.15, 1,430."""
    if value == 0:
        return "0"
    decimals = max(0, digits - 1 - math.floor(math.log10(abs(value))))
    text = f"{value:,.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def duration(seconds: float) -> str:
    if seconds != 0 and abs(seconds) < 0.9995:  # what rounds to 1,000 ms reads 1 s
        return f"{plain(seconds * 1000)} ms"
    return f"{plain(seconds)} s"


def rate(per_second: float) -> str:
    return f"{plain(per_second)} req/s"


def count(value: float) -> str:
    return f"{round(value):,}" if float(value).is_integer() or abs(value) >= 1000 else plain(value)


def ratio(value: float) -> str:
    """Two significant decimals: 1.43, 1,430.27, 0.0049."""
    if abs(value) >= 1:
        return f"{value:,.2f}"
    return plain(value, digits=2)


def format_value(value: float | None, unit: str = "short") -> str:
    """A value in a catalog unit (s, reqps, percentunit, currencyUSD, short) or `ratio`."""
    if value is None or not math.isfinite(value):
        return NO_VALUE
    if unit == "s":
        return duration(value)
    if unit == "reqps":
        return rate(value)
    if unit == "percentunit":
        return f"{plain(value * 100)}%"
    if unit == "currencyUSD":
        return f"${value:,.2f}"
    if unit == "ratio":
        return f"{ratio(value)}{RATIO_SIGN}"
    return count(value)
