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
    """About how long the section waits on Prometheus' timing (scrapes, evaluations, `for:`, loads)."""
    return sum(KINDS[step.kind].pace(step.params, timing) for step in lab.steps)


def pace_problem(lab: "Lab", timing: Timing, max_wait: float) -> str:
    """One sentence when the section would take longer than `max_wait`; "" when it may run."""
    needed = section_seconds(lab, timing)
    if needed <= max_wait:
        return ""
    minutes = math.ceil(needed / 60)
    return (f"Prometheus {timing.describe()}: the {lab.name} section would take about {minutes} min "
            f"(more than --max-wait {seconds_text(max_wait)}); pass --max-wait {minutes}m to wait that long, "
            f"or scrape the app every 5-15 s")
