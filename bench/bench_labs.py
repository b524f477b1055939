"""`monlab lab all` on a fresh offline stack, total and per section (goal: ≤ 120 s in all).

The baseline of each section is the least time Prometheus' own timing allows for it, computed
from the lab's own steps: one evaluation interval, plus the `for:` of every alert a step waits to
see firing. A lab that sleeps where it could poll shows as a large ratio."""

from __future__ import annotations

import json
import subprocess

from bench_stack import PROJECT, monlab, monlab_up, port_offset, teardown
from measure import Row, python_command, timed

from monlab.lab.model import load_labs

TOTAL_GOAL_SECONDS = 120.0
EVALUATION_SECONDS = 5.0
FLOOR = "Prometheus timing floor (computed)"


def _lab(*names: str) -> tuple[float, dict]:
    output: dict = {}

    def run_lab() -> None:
        result = subprocess.run(python_command("-m", "monlab", "lab", *names, "--json", "--project", PROJECT),
                                text=True, capture_output=True)
        output.update(json.loads(result.stdout or "{}"))

    return timed(run_lab), output


def _floor(lab) -> float:
    waits = [step.params["alert"].for_seconds for step in lab.steps
             if step.kind == "alert" and step.params["state"] == "firing"]
    return EVALUATION_SECONDS + sum(waits)


def run(repeat: int) -> list[Row]:
    monlab("images", "bootstrap")
    monlab_up(port_offset())
    rows = []
    try:
        total, report = _lab("all")
        floors = {lab.name: _floor(lab) for lab in load_labs()}
        for lab in report.get("labs", []):
            seconds, single = _lab(lab["name"])
            rows.append(Row(f"lab {lab['name']}", seconds, "s", FLOOR, floors[lab["name"]],
                            goal="passes", met=bool(single.get("passed"))))
        rows.insert(0, Row("lab all (total)", total, "s", FLOOR, sum(floors.values()),
                           goal=f"≤ {TOTAL_GOAL_SECONDS:.0f} s and passes",
                           met=total <= TOTAL_GOAL_SECONDS and bool(report.get("passed"))))
    finally:
        teardown()
    return rows
