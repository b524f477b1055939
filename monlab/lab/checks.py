"""Checks that wait honestly: retried until a deadline, then failed with the last value and a hint."""

from __future__ import annotations

import math
import operator
from typing import Callable

from monlab.lab.context import RunContext
from monlab.lab.results import CheckResult, failed, passed
from monlab.waiting import Outcome, WaitResult, poll

REL_TOLERANCE = 1e-9  # "==" on sums of decimal amounts; far below any cent


def _close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=REL_TOLERANCE, abs_tol=REL_TOLERANCE)


OPS: dict[str, Callable[[float, float], bool]] = {
    ">": operator.gt, ">=": operator.ge, "<": operator.lt, "<=": operator.le,
    "==": _close, "!=": lambda a, b: not _close(a, b),
}


def compare(value: float | None, op: str, target: float) -> bool:
    return value is not None and not math.isnan(value) and OPS[op](value, target)


def retry_check(
    ctx: RunContext,
    name: str,
    probe: Callable[[], Outcome],
    timeout: float,
    hint: Callable[[WaitResult], str],
    link: str = "",
) -> CheckResult:
    """Probe until it passes or `timeout` seconds pass; a timeout is a failed check, not an error."""
    result = poll(probe, timeout=timeout, interval=ctx.timing.poll_interval, clock=ctx.clock)
    if result.done:
        return passed(name, result.note, link)
    return failed(name, f"{result.note} (gave up after {result.elapsed:.0f} s)", hint(result), link)
