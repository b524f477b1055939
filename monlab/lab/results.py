"""What a lab run produced: checks (passed, failed or skipped with a reason) and figures; as JSON,
whose run it was (project, monlab version, mode, when), valid against monlab/schema/lab-results.schema.json."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from monlab import __version__
from monlab.units import format_value

SCHEMA_FILE = Path(__file__).resolve().parents[1] / "schema" / "lab-results.schema.json"
SCHEMA_ID = "urn:monlab:lab-results:1"  # the $id of the schema the document follows
MODES = ("online", "offline", "by-url", "none")  # none: no stack could be reached


@dataclass(frozen=True)
class CheckResult:
    name: str
    passed: bool | None  # None: skipped, e.g. a Grafana check on a stack without Grafana
    detail: str
    hint: str = ""
    link: str = ""
    environment: bool = False  # failed because the stack or Docker was unusable, not because the check ran and failed

    @property
    def failed(self) -> bool:
        return self.passed is False

    @property
    def skipped(self) -> bool:
        return self.passed is None

    def report_detail(self) -> str:
        return f"{self.detail}; hint: {self.hint}" if self.failed and self.hint else self.detail


def passed(name: str, detail: str, link: str = "") -> CheckResult:
    return CheckResult(name, True, detail, link=link)


def failed(name: str, detail: str, hint: str = "", link: str = "") -> CheckResult:
    return CheckResult(name, False, detail, hint, link)


def environment_failed(name: str, detail: str, hint: str = "") -> CheckResult:
    """Not a verdict on the lab: the environment (stack, Prometheus, Docker) stopped it. Exit 3."""
    return CheckResult(name, False, detail, hint, environment=True)


def skipped(name: str, reason: str) -> CheckResult:
    return CheckResult(name, None, f"skipped: {reason}")


def not_run(name: str, reason: str) -> CheckResult:
    """A step that could not run because an earlier one failed to leave its input: no verdict of its own."""
    return CheckResult(name, None, reason)


@dataclass(frozen=True)
class FigureInfo:
    unit: str = "short"  # a catalog unit (s, reqps, ...) or "ratio"
    compares: str = ""  # for a ratio: what it divides, e.g. "baseline_s ÷ improved_s"


@dataclass(frozen=True)
class RunInfo:
    """Whose run it was, for a teacher collecting a class's files."""
    project: str
    mode: str  # one of MODES
    started: float  # unix seconds
    ended: float


def iso_utc(t: float | None) -> str | None:
    if t is None:
        return None
    return datetime.fromtimestamp(t, timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def figure_json(value: float, info: FigureInfo) -> dict[str, Any]:
    """The raw number for programs, the same number written for a reader."""
    shown = {"value": value if math.isfinite(value) else None, "unit": info.unit, "text": format_value(value, info.unit)}
    return {**shown, "compares": info.compares} if info.compares else shown


@dataclass
class LabResult:
    name: str
    checks: list[CheckResult] = field(default_factory=list)
    figures: dict[str, float] = field(default_factory=dict)
    figure_info: dict[str, FigureInfo] = field(default_factory=dict)
    started: float | None = None  # unix seconds
    ended: float | None = None

    def figure_text(self, name: str) -> str:
        info = self.figure_info.get(name, FigureInfo())
        return format_value(self.figures.get(name), info.unit)

    @property
    def passed(self) -> bool:
        """Every check passed or was skipped with a reason, and there was at least one check."""
        return bool(self.checks) and not any(c.failed for c in self.checks)

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "passed": self.passed,
            "started": iso_utc(self.started),
            "ended": iso_utc(self.ended),
            "checks": [{"name": c.name, "passed": c.passed, "detail": c.report_detail()} for c in self.checks],
            "figures": {k: figure_json(v, self.figure_info.get(k, FigureInfo())) for k, v in self.figures.items()},
        }


def report(results: list[LabResult], run: RunInfo) -> dict[str, Any]:
    return {
        "$schema": SCHEMA_ID,
        "project": run.project,
        "monlab_version": __version__,
        "mode": run.mode,
        "started": iso_utc(run.started),
        "ended": iso_utc(run.ended),
        "passed": bool(results) and all(r.passed for r in results),
        "labs": [r.to_json() for r in results],
    }


def exit_code(results: list[LabResult]) -> int:
    """3 when the environment stopped a section (whenever it happened), 1 when a check ran and failed, else 0."""
    checks = [c for r in results for c in r.checks]
    if any(c.failed and c.environment for c in checks):
        return 3
    return 0 if results and all(r.passed for r in results) else 1
