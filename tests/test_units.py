"""The one number formatter every view uses: units, separators, no e-notation, nothing cut short."""

from __future__ import annotations

import math
import re

import pytest
from hypothesis import given, strategies as st

from monlab.units import format_value

E_NOTATION = re.compile(r"\d[eE][+-]?\d")


@pytest.mark.parametrize("value, unit, text", [
    (4.965e-05, "s", "0.0496 ms"),
    (0.12, "s", "120 ms"),
    (1.15, "s", "1.15 s"),
    (0.9999, "s", "1 s"),
    (75.3, "s", "75.3 s"),
    (0, "s", "0 s"),
    (0.52, "reqps", "0.52 req/s"),
    (0.000512, "reqps", "0.000512 req/s"),
    (12345.6, "reqps", "12,346 req/s"),
    (1.16e3, "short", "1,160"),
    (1234567, "short", "1,234,567"),
    (12.3456, "short", "12.3"),
    (1e-9, "short", "0.000000001"),
    (1430.271, "ratio", "1,430.27×"),
    (1.4321, "ratio", "1.43×"),
    (0.004937, "ratio", "0.0049×"),
    (103.99, "currencyUSD", "$103.99"),
    (0.0412, "percentunit", "4.12%"),
    (None, "s", "–"),
    (math.inf, "ratio", "–"),
])
def test_format_value(value, unit, text):
    assert format_value(value, unit) == text


@given(st.floats(allow_nan=False, allow_infinity=False, min_value=-1e300, max_value=1e300),
       st.sampled_from(["s", "reqps", "short", "ratio", "percentunit", "currencyUSD"]))
def test_never_e_notation_nor_cut_short(value, unit):
    text = format_value(value, unit)
    assert not E_NOTATION.search(text) and "…" not in text, text
