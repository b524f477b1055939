"""Whether a section can keep pace with the Prometheus it runs against: a stack that scrapes every
minute makes every check wait minutes, so the section stops at once and says so unless allowed."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from monlab.lab.kinds import KINDS
from monlab.lab.timing import Timing, seconds_text

if TYPE_CHECKING:
    from monlab.lab.model import Lab

DEFAULT_MAX_WAIT_S = 120.0  # a section longer than this at the stack's timing asks for --max-wait


def section_seconds(lab: "Lab", timing: Timing) -> float:
    """About how long the section waits on Prometheus' timing (scrapes, evaluations, `for:`, loads).
    A plain read right after another read, with nothing sent to the app between, finds the scrape
    the first one waited for (§5 reads four panels after one load); a read against a mark is
    counted in full, the safe side."""
    total, scrape_seen = 0.0, False
    for step in lab.steps:
        kind = KINDS[step.kind]
        wait = kind.pace(step.params, timing)
        if kind.touches_app:
            scrape_seen = False
        elif step.kind == "expect" and wait:
            if scrape_seen and not step.params["mark"]:
                wait = 0.0
            scrape_seen = True
        total += wait
    return total


def pace_problem(lab: "Lab", timing: Timing, max_wait: float) -> str:
    """One sentence when the section would take longer than `max_wait`; "" when it may run."""
    needed = section_seconds(lab, timing)
    if needed <= max_wait:
        return ""
    minutes = math.ceil(needed / 60)
    return (f"Prometheus {timing.describe()}: the {lab.name} section would take about {minutes} min "
            f"(more than --max-wait {seconds_text(max_wait)}); pass --max-wait {minutes}m to wait that long, "
            f"or scrape the app every 5-15 s")
