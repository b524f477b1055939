"""`monlab lab all` on a fresh offline stack, total and per section (goal: ≤ 1.4× the timing floor).

The baseline of each section is the least time Prometheus' own timing allows for it, computed
from the lab's own steps: one evaluation interval, plus the `for:` of every alert a step waits to
see firing, plus the rate window of every chart drawn after a load (§9 verifies the improvement on
a 15 s-window panel: it shows the after as a level only once a whole window holds the improved app),
plus the window of a `quiet` step when the section before it sent requests (§9 measures the
lecture's app once §8's purchases have left its 15 s window).
A lab that sleeps where it could poll shows as a large ratio; ratios, not seconds, are what to
compare on a loaded machine. The section rows are the sections of the same `lab all` runs.

Each run starts on a warm, idle stack: the bench waits (untimed) until the app's last minute holds no
requests, as a student's stack has between sittings. §5 waits for that itself before its load (its
panels average over a minute), which back to back would add up to a minute that no floor counts."""

from __future__ import annotations

import json
import re
import statistics
import subprocess
from datetime import datetime

import sys
from pathlib import Path

from bench_stack import PROJECT, monlab, monlab_up, port_offset, teardown, wait_quiet
from measure import Row, python_command, timed

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # this checkout's monlab, as the runs use

from monlab.lab.kinds.chart import rate_window
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


SENDS_REQUESTS = ("traffic", "load", "http")


def _floor(lab, evaluation_s: float, after_requests: bool) -> float:
    """`after_requests`: the section before it in `lab all` sent the app requests, which a `quiet`
    step of this one waits to leave its window (§9 after §8's purchases)."""
    waits = [step.params["alert"].for_seconds for step in lab.steps
             if step.kind == "alert" and step.params["state"] == "firing"]
    windows = [rate_window(step.params.panel.expr) for step in lab.steps
               if step.kind == "chart" and step.params.after_load]
    quiet = [step.params["seconds"] for step in lab.steps if step.kind == "quiet" and after_requests]
    return evaluation_s + sum(waits) + sum(windows) + sum(quiet)


def _seconds(section: dict) -> float:
    started, ended = (datetime.fromisoformat(section[key].replace("Z", "+00:00")) for key in ("started", "ended"))
    return (ended - started).total_seconds()


def run(repeat: int) -> list[Row]:
    monlab("images", "bootstrap")
    offset = port_offset()
    monlab_up(offset)
    runs = []
    try:
        for _ in range(repeat):
            wait_quiet(f"http://127.0.0.1:{9090 + offset}")
            runs.append(_lab("all"))
    finally:
        teardown()
    evaluation_s = Timing.of_stack().evaluation_interval  # what the stack's prometheus.yml is rendered with
    labs = load_labs()
    floors = {lab.name: _floor(lab, evaluation_s, after_requests=i > 0 and any(
        step.kind in SENDS_REQUESTS for step in labs[i - 1].steps)) for i, lab in enumerate(labs)}
    rows = []
    for name in floors:
        sections = [s for _, report in runs for s in report.get("labs", []) if s["name"] == name]
        if sections:
            rows.append(Row(f"lab all: {name}", statistics.median(_seconds(s) for s in sections), "s", FLOOR,
                            floors[name], goal="passes", met=all(s.get("passed") for s in sections)))
    total = statistics.median(seconds for seconds, _ in runs)
    floor = sum(floors.values())
    rows.insert(0, Row("lab all (total)", total, "s", FLOOR, floor, goal=f"≤ {FLOOR_GOAL_RATIO}× floor and passes",
                       met=total <= FLOOR_GOAL_RATIO * floor and all(report.get("passed") for _, report in runs)))
    return rows
