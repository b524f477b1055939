"""A small client for Prometheus' HTTP API (errors become ServiceError in monlab.http_service)."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

import httpx

from monlab.errors import ServiceError
from monlab.http_service import JsonService


_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)(ms|y|w|d|h|m|s)")
_UNIT_SECONDS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800, "y": 31536000}


def duration_seconds(text: str) -> float | None:
    """A Prometheus duration as it prints them ("15s", "1m", "1m30s") in seconds; None if not one."""
    parts = _DURATION_PART.findall(text or "")
    if not parts or "".join(n + u for n, u in parts) != text:
        return None
    return sum(float(number) * _UNIT_SECONDS[unit] for number, unit in parts)


@dataclass(frozen=True)
class Sample:
    labels: dict[str, str]
    value: float


@dataclass(frozen=True)
class RangeSeries:
    labels: dict[str, str]
    points: list[tuple[float, float]]  # (unix time, value); NaN where Prometheus says so


@dataclass(frozen=True)
class Target:
    job: str
    instance: str
    health: str
    last_error: str
    scrape_url: str
    scrape_interval: float | None = None  # seconds, as Prometheus reports it (absent before v2.30)


@dataclass(frozen=True)
class Alert:
    name: str
    state: str  # "pending" or "firing"
    labels: dict[str, str]


class PrometheusAPI(JsonService):
    name = "Prometheus"

    def check_status(self, response: httpx.Response, path: str) -> None:
        # A rejected query is a 400/422 with a JSON body whose `error` says why: let _data report it.
        if not response.headers.get("content-type", "").startswith("application/json"):
            super().check_status(response, path)

    def _data(self, path: str, **params: Any) -> Any:
        body = self.get_json(path, **params)
        if body.get("status") != "success":
            raise ServiceError(f"Prometheus rejected {params.get('query', path)!r}: {body.get('error', 'unknown error')}")
        return body["data"]

    def is_ready(self) -> bool:
        return self.answers_ok("/-/ready")

    def query(self, expr: str) -> list[Sample]:
        """Instant query; a scalar result comes back as one sample without labels."""
        data = self._data("/api/v1/query", query=expr)
        if data["resultType"] == "scalar":
            return [Sample({}, float(data["result"][1]))]
        if data["resultType"] != "vector":
            raise ServiceError(f"Query {expr!r} returned a {data['resultType']}, expected an instant vector")
        return [Sample(item["metric"], float(item["value"][1])) for item in data["result"]]

    def query_range(self, expr: str, start: float, end: float, step: float) -> list[RangeSeries]:
        """Range query over `start`..`end` (unix seconds), one point every `step` seconds counted back
        from `end`, so the last point is `end` itself and shows what an instant query would."""
        start = end - math.ceil(round((end - start) / step, 6)) * step
        data = self._data("/api/v1/query_range", query=expr, start=f"{start:.3f}", end=f"{end:.3f}", step=f"{step:g}")
        if data["resultType"] != "matrix":
            raise ServiceError(f"Range query {expr!r} returned a {data['resultType']}, expected a matrix")
        return [RangeSeries(item["metric"], [(float(t), float(v)) for t, v in item["values"]]) for item in data["result"]]

    def query_value(self, expr: str) -> float | None:
        """The single value of `expr`, summed if it has several series; None when it has none."""
        samples = self.query(expr)
        if not samples:
            return None
        return math.fsum(s.value for s in samples)

    def targets(self) -> list[Target]:
        data = self._data("/api/v1/targets", state="active")
        return [
            Target(
                job=t["labels"].get("job", ""),
                instance=t["labels"].get("instance", ""),
                health=t.get("health", "unknown"),
                last_error=t.get("lastError", ""),
                scrape_url=t.get("scrapeUrl", ""),
                scrape_interval=duration_seconds(t.get("scrapeInterval", "")),
            )
            for t in data["activeTargets"]
        ]

    def alerts(self) -> list[Alert]:
        data = self._data("/api/v1/alerts")
        return [Alert(a["labels"].get("alertname", ""), a["state"], a["labels"]) for a in data["alerts"]]

    def alert_state(self, name: str) -> str:
        """'firing', 'pending' or 'inactive'."""
        states = {a.state for a in self.alerts() if a.name == name}
        for state in ("firing", "pending"):
            if state in states:
                return state
        return "inactive"

    def rule_group_intervals(self) -> dict[str, float]:
        """Each rule name -> the evaluation interval (seconds) of the group it is in."""
        data = self._data("/api/v1/rules")
        return {rule["name"]: float(group.get("interval", 0)) for group in data["groups"] for rule in group["rules"]}

    def rule_names(self) -> list[str]:
        data = self._data("/api/v1/rules")
        return [rule["name"] for group in data["groups"] for rule in group["rules"]]
