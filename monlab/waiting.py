"""One polling loop behind every wait: readiness of services and retried lab checks.

The clock and the sleep are parameters, so tests drive time instead of patching it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable, Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Clock:
    now: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep


REAL_CLOCK = Clock()


@dataclass(frozen=True)
class Outcome(Generic[T]):
    """What a probe saw: `done` ends the wait; `value` and `note` are kept for the failure report."""

    done: bool
    value: T | None = None
    note: str = ""


@dataclass(frozen=True)
class WaitResult(Generic[T]):
    done: bool
    value: T | None
    note: str
    elapsed: float
    attempts: int


def poll(
    probe: Callable[[], Outcome[T]],
    timeout: float,
    interval: float = 0.5,
    clock: Clock = REAL_CLOCK,
) -> WaitResult[T]:
    """Call `probe` until it says done or `timeout` seconds pass; always probes at least once.

    Never raises on timeout: the caller decides whether a timeout is an error (readiness) or a
    failed check with the last value seen (labs).
    """
    start = clock.now()
    attempts = 0
    while True:
        attempts += 1
        outcome = probe()
        elapsed = clock.now() - start
        if outcome.done:
            return WaitResult(True, outcome.value, outcome.note, elapsed, attempts)
        remaining = timeout - elapsed
        if remaining <= 0:
            return WaitResult(False, outcome.value, outcome.note, elapsed, attempts)
        clock.sleep(min(interval, remaining))
