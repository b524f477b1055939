"""Purchase amounts: only a plain, finite, non-negative decimal number is money.

float() alone would accept "nan", "inf", "1_000" and overflow "1e999" to infinity; any of these
would turn the revenue counter into NaN or infinity for good.
"""

from __future__ import annotations

import math
import re

MAX_AMOUNT = 1e12  # keeps the running total finite for any realistic number of purchases
_DECIMAL = re.compile(r"^\+?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_MAX_LENGTH = 64


class BadAmount(ValueError):
    """The amount is refused; the message says why, in words a client can act on."""


def parse_amount(text: str | None) -> float:
    if text is None:
        raise BadAmount("Missing purchase amount: send the form field 'amount', e.g. amount=19.99")
    stripped = text.strip()
    if stripped.startswith("-") and _DECIMAL.match(stripped[1:]):
        raise BadAmount("Invalid purchase amount: it must not be negative")
    if len(stripped) > _MAX_LENGTH or not _DECIMAL.match(stripped):
        raise BadAmount("Invalid purchase amount: it must be a finite, non-negative decimal number such as 19.99")
    amount = float(stripped)
    if not math.isfinite(amount) or amount > MAX_AMOUNT:
        raise BadAmount(f"Invalid purchase amount: it must be a finite number no larger than {MAX_AMOUNT:.0f}")
    return amount
