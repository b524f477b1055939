"""`monlab lab all` on a fresh offline stack, total and per section (goal: ≤ 1.4× the timing floor).

The baseline of each section is the least time Prometheus' own timing allows for it, computed
from the lab's own steps: one evaluation interval, plus the `for:` of every alert a step waits to
see firing. A lab that sleeps where it could poll shows as a large ratio; ratios, not seconds, are
what to compare on a loaded machine."""

from __future__ import annotations

import json
import subprocess

from bench_stack import PROJECT, monlab, monlab_up, port_offset, teardown
from measure import Row, python_command, timed

from monlab.lab.model import load_labs
from monlab.lab.timing import Timing

FLOOR_GOAL_RATIO = 1.4
FLOOR = "Prometheus timing floor (computed)"


def _lab(*names: str) -> tuple[float, dict]:
    output: dict = {}

    def run_lab() -> None:
        result = subprocess.run(python_command("-m", "monlab", "lab", *names, "--json", "--project", PROJECT),
                                text=True, capture_output=True)
        output.update(json.loads(result.stdout or "{}"))

    return timed(run_lab), output


def _floor(lab, evaluation_s: float) -> float:
    waits = [step.params["alert"].for_seconds for step in lab.steps
             if step.kind == "alert" and step.params["state"] == "firing"]
    return evaluation_s + sum(waits)


def run(repeat: int) -> list[Row]:
    monlab("images", "bootstrap")
    monlab_up(port_offset())
    rows = []
    try:
        total, report = _lab("all")
        evaluation_s = Timing.of_stack().evaluation_interval  # what the stack's prometheus.yml is rendered with
        floors = {lab.name: _floor(lab, evaluation_s) for lab in load_labs()}
        for lab in report.get("labs", []):
            seconds, single = _lab(lab["name"])
            rows.append(Row(f"lab {lab['name']}", seconds, "s", FLOOR, floors[lab["name"]],
                            goal="passes", met=bool(single.get("passed"))))
        floor = sum(floors.values())
        rows.insert(0, Row("lab all (total)", total, "s", FLOOR, floor,
                           goal=f"≤ {FLOOR_GOAL_RATIO}× floor and passes",
                           met=total <= FLOOR_GOAL_RATIO * floor and bool(report.get("passed"))))
    finally:
        teardown()
    return rows
