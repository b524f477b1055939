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


def skipped(name: str, reason: str) -> CheckResult:
    return CheckResult(name, None, f"skipped: {reason}")


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
