"""What a lab run produced: checks (passed, failed or skipped with a reason) and figures."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any


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


@dataclass
class LabResult:
    name: str
    checks: list[CheckResult] = field(default_factory=list)
    figures: dict[str, float] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        """Every check passed or was skipped with a reason, and there was at least one check."""
        return bool(self.checks) and not any(c.failed for c in self.checks)

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "passed": self.passed,
            "checks": [{"name": c.name, "passed": c.passed, "detail": c.report_detail()} for c in self.checks],
            "figures": {k: round(v, 6) if math.isfinite(v) else None for k, v in self.figures.items()},
        }


def report(results: list[LabResult]) -> dict[str, Any]:
    return {"passed": bool(results) and all(r.passed for r in results), "labs": [r.to_json() for r in results]}


def exit_code(results: list[LabResult]) -> int:
    """3 when the environment stopped a section (whenever it happened), 1 when a check ran and failed, else 0."""
    checks = [c for r in results for c in r.checks]
    if any(c.failed and c.environment for c in checks):
        return 3
    return 0 if results and all(r.passed for r in results) else 1
