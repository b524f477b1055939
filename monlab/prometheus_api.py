"""A small client for Prometheus' HTTP API; httpx errors become MonlabError here and nowhere else."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import httpx

from monlab.errors import ServiceError


@dataclass(frozen=True)
class Sample:
    labels: dict[str, str]
    value: float


@dataclass(frozen=True)
class Target:
    job: str
    instance: str
    health: str
    last_error: str
    scrape_url: str


@dataclass(frozen=True)
class Alert:
    name: str
    state: str  # "pending" or "firing"
    labels: dict[str, str]


class PrometheusAPI:
    def __init__(self, base_url: str, timeout: float = 5.0, transport: httpx.BaseTransport | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self._http = httpx.Client(base_url=self.base_url, timeout=timeout, transport=transport)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> "PrometheusAPI":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _get(self, path: str, **params: Any) -> Any:
        try:
            response = self._http.get(path, params=params or None)
        except httpx.HTTPError as exc:
            raise ServiceError(
                f"Prometheus at {self.base_url} did not answer ({type(exc).__name__})",
                "Run `monlab status` to see the stack, or `monlab up` to start it.",
            ) from exc
        if response.status_code >= 400 and not response.headers.get("content-type", "").startswith("application/json"):
            raise ServiceError(f"Prometheus at {self.base_url} answered {response.status_code} on {path}")
        body = response.json()
        if body.get("status") != "success":
            raise ServiceError(f"Prometheus rejected {params.get('query', path)!r}: {body.get('error', 'unknown error')}")
        return body["data"]

    def is_ready(self) -> bool:
        try:
            return self._http.get("/-/ready").status_code == 200
        except httpx.HTTPError:
            return False

    def query(self, expr: str) -> list[Sample]:
        """Instant query; a scalar result comes back as one sample without labels."""
        data = self._get("/api/v1/query", query=expr)
        if data["resultType"] == "scalar":
            return [Sample({}, float(data["result"][1]))]
        if data["resultType"] != "vector":
            raise ServiceError(f"Query {expr!r} returned a {data['resultType']}, expected an instant vector")
        return [Sample(item["metric"], float(item["value"][1])) for item in data["result"]]

    def query_value(self, expr: str) -> float | None:
        """The single value of `expr`, summed if it has several series; None when it has none."""
        samples = self.query(expr)
        if not samples:
            return None
        return math.fsum(s.value for s in samples)

    def targets(self) -> list[Target]:
        data = self._get("/api/v1/targets", state="active")
        return [
            Target(
                job=t["labels"].get("job", ""),
                instance=t["labels"].get("instance", ""),
                health=t.get("health", "unknown"),
                last_error=t.get("lastError", ""),
                scrape_url=t.get("scrapeUrl", ""),
            )
            for t in data["activeTargets"]
        ]

    def alerts(self) -> list[Alert]:
        data = self._get("/api/v1/alerts")
        return [Alert(a["labels"].get("alertname", ""), a["state"], a["labels"]) for a in data["alerts"]]

    def alert_state(self, name: str) -> str:
        """'firing', 'pending' or 'inactive'."""
        states = {a.state for a in self.alerts() if a.name == name}
        for state in ("firing", "pending"):
            if state in states:
                return state
        return "inactive"

    def rule_names(self) -> list[str]:
        data = self._get("/api/v1/rules")
        return [rule["name"] for group in data["groups"] for rule in group["rules"]]
