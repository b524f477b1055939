"""`monlab lab all` on a fresh offline stack, total and per section (goal: ≤ 120 s in all).

The baseline of each section is the least time Prometheus' own timing allows for it (one
evaluation interval plus the `for:` of each alert the section waits for), computed from the catalog
the labs use, so a lab that sleeps where it could poll shows as a large ratio."""

from __future__ import annotations

import json
import subprocess

from bench_stack import PROJECT, monlab, monlab_up, port_offset, teardown
from measure import Row, python_command, timed

from monlab.catalog import load_catalog

TOTAL_GOAL_SECONDS = 120.0
EVALUATION_SECONDS = 5.0


def _lab(*names: str) -> tuple[float, dict]:
    output: dict = {}

    def run_lab() -> None:
        result = subprocess.run(python_command("-m", "monlab", "lab", *names, "--json", "--project", PROJECT),
                                text=True, capture_output=True)
        output.update(json.loads(result.stdout or "{}"))

    return timed(run_lab), output


def _floor(section_name: str) -> float:
    section = load_catalog().section(section_name)
    return EVALUATION_SECONDS + sum(alert.for_seconds for alert in section.alerts) if section else EVALUATION_SECONDS


def run(repeat: int) -> list[Row]:
    monlab("images", "bootstrap")
    monlab_up(port_offset())
    rows = []
    try:
        total, report = _lab("all")
        floor_total = 0.0
        for lab in report.get("labs", []):
            seconds, single = _lab(lab["name"])
            floor = _floor(lab["name"])
            floor_total += floor
            rows.append(Row(f"lab {lab['name']}", seconds, "s", "Prometheus timing floor", floor,
                            goal="passes", met=bool(single.get("passed"))))
        rows.insert(0, Row("lab all (total)", total, "s", "Prometheus timing floor", floor_total,
                           goal=f"≤ {TOTAL_GOAL_SECONDS:.0f} s and passes",
                           met=total <= TOTAL_GOAL_SECONDS and bool(report.get("passed"))))
    finally:
        teardown()
    return rows
