"""What a step needs from earlier steps (a mark, a figure, a load's result), and why it cannot run
when an earlier step did not leave it: a step never runs on input that is not there."""

from __future__ import annotations

from typing import TYPE_CHECKING, Mapping

from monlab.lab.kind import LOAD_ID

if TYPE_CHECKING:
    from monlab.lab.context import RunContext
    from monlab.lab.model import Lab, Step


def available(ctx: "RunContext") -> dict[str, Mapping[str, object]]:
    """What earlier steps of this run left behind, by the words StepSource.earlier uses."""
    return {"mark": ctx.marks, "figure": ctx.figures, LOAD_ID: ctx.loads}


def missing_input(step: "Step", present: Mapping[str, Mapping[str, object]]) -> tuple[str, str] | None:
    """The first (what, name) `step` needs that no earlier step left; None when it has everything."""
    return next(((what, name) for what, name in step.needs if name not in present.get(what, {})), None)


def not_run_reason(lab: "Lab", step: "Step", missing: tuple[str, str]) -> str:
    """One sentence naming the step that should have left the input."""
    what, name = missing
    setter = next((s for s in lab.steps if missing in s.defines), None)
    by = f"step {setter.where} ({setter.title})" if setter else "no earlier step"
    return f"not run: it needs {what} {name!r}, which {by} did not leave (see its result above)"
