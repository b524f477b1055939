"""A small client for Grafana's HTTP API; httpx errors become ServiceError here and nowhere else."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from monlab.errors import ServiceError


@dataclass(frozen=True)
class Health:
    database: str
    version: str

    @property
    def ok(self) -> bool:
        return self.database == "ok"


@dataclass(frozen=True)
class Dashboard:
    uid: str
    title: str
    url: str
    folder: str


class GrafanaAPI:
    def __init__(
        self,
        base_url: str,
        user: str = "admin",
        password: str = "",
        timeout: float = 5.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._http = httpx.Client(base_url=self.base_url, auth=(user, password), timeout=timeout, transport=transport)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> "GrafanaAPI":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _get_json(self, path: str, **params: Any) -> Any:
        try:
            response = self._http.get(path, params=params or None)
        except httpx.HTTPError as exc:
            raise ServiceError(
                f"Grafana at {self.base_url} did not answer ({type(exc).__name__})",
                "Run `monlab status` to see the stack; Grafana needs 60-90 s on its first start.",
            ) from exc
        if response.status_code in (401, 403):
            raise ServiceError(
                f"Grafana at {self.base_url} refused the login ({response.status_code} on {path})",
                "Use the password `monlab status` shows; an old Grafana volume keeps its old password.",
            )
        if response.status_code >= 400:
            raise ServiceError(f"Grafana at {self.base_url} answered {response.status_code} on {path}")
        try:
            return response.json()
        except ValueError:
            raise ServiceError(f"Grafana at {self.base_url} answered {path} with something that is not JSON") from None

    def health(self) -> Health:
        """GET /api/health, which needs no login; its `database` is "ok" once migrations are done."""
        body = self._get_json("/api/health")
        return Health(database=str(body.get("database", "")), version=str(body.get("version", "")))

    def is_healthy(self) -> bool:
        try:
            return self.health().ok
        except ServiceError:
            return False

    def dashboards(self) -> list[Dashboard]:
        hits = self._get_json("/api/search", type="dash-db")
        return [
            Dashboard(uid=h.get("uid", ""), title=h.get("title", ""), url=h.get("url", ""), folder=h.get("folderTitle", ""))
            for h in hits
        ]

    def alert_rule_states(self) -> dict[str, str]:
        """{rule title: state} for Grafana-managed rules: "inactive", "pending", "firing", ..."""
        body = self._get_json("/api/prometheus/grafana/api/v1/rules")
        if body.get("status") != "success":
            raise ServiceError(f"Grafana did not list its alert rules: {body.get('error', 'unknown error')}")
        return {
            rule["name"]: rule.get("state", "unknown")
            for group in body["data"]["groups"]
            for rule in group.get("rules", [])
        }
