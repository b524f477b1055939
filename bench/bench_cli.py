"""CLI start-up: `monlab --help` and `monlab lab list` against a bare interpreter start."""

from __future__ import annotations

import subprocess

from measure import Row, median_of, python_command, timed

GOAL_SECONDS = 0.3


def _run(args: list[str]) -> float:
    return timed(lambda: subprocess.run(args, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))


def run(repeat: int) -> list[Row]:
    runs = max(repeat, 5)
    floor = median_of(runs, lambda: _run(python_command("-c", "pass")))
    rows = []
    for label, args in (("monlab --help", ["--help"]), ("monlab lab list", ["lab", "list"])):
        seconds = median_of(runs, lambda: _run(python_command("-m", "monlab", *args)))
        rows.append(Row(f"CLI start-up: {label}", seconds, "s", "python -c pass", floor,
                        goal=f"≤ {GOAL_SECONDS} s", met=seconds <= GOAL_SECONDS))
    return rows
