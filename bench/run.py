"""Run the benchmark suite: `python bench/run.py [--repeat N] [--only NAME ...]`.

Writes bench/results/latest.md (the table for README's Performance section) and latest.json.
Every figure stands beside a baseline measured in the same run; medians of --repeat runs.
"""

from __future__ import annotations

import argparse
import importlib
import json
import platform
import os
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from measure import Row  # noqa: E402

SUITES = ("cli", "app", "load", "stack", "labs", "dashboard", "fresh")  # fresh removes the offline images: it runs last


def _format(value: float | None, unit: str) -> str:
    if value is None:
        return "–"
    if unit == "s":
        return f"{value:.3f} s" if value < 10 else f"{value:.1f} s"
    return f"{value:,.1f} {unit}"


def _verdict(row: Row) -> str:
    return {True: "met", False: "MISSED", None: ""}[row.met]


def markdown(rows: list[Row], header: str) -> str:
    lines = [header, "", "| figure | value | baseline (same run) | ratio | goal | |", "|---|---|---|---|---|---|"]
    for row in rows:
        ratio = f"{row.ratio:.2f}×" if row.ratio is not None else "–"
        baseline = f"{row.baseline}: {_format(row.baseline_value, row.unit)}" if row.baseline else "–"
        lines.append(f"| {row.name} | {_format(row.value, row.unit)} | {baseline} | {ratio} | {row.goal} | {_verdict(row)} |")
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3, help="runs per figure; the median is reported")
    parser.add_argument("--only", nargs="*", choices=SUITES, help="run only these suites")
    args = parser.parse_args()
    rows: list[Row] = []
    for name in args.only or SUITES:
        print(f"== {name}", file=sys.stderr, flush=True)
        suite = importlib.import_module(f"bench_{name}")
        rows.extend(suite.run(args.repeat))
    stamp = time.strftime("%Y-%m-%d")
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    header = f"Measured {stamp} on {machine}; medians of {args.repeat} runs."
    out = HERE / "results"
    out.mkdir(exist_ok=True)
    table = markdown(rows, header)
    (out / "latest.md").write_text(table)
    (out / "latest.json").write_text(json.dumps({"date": stamp, "machine": machine, "repeat": args.repeat,
                                                 "rows": [r.as_dict() for r in rows]}, indent=2))
    print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
