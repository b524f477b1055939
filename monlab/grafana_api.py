"""A small client for Grafana's HTTP API (errors become ServiceError in monlab.http_service)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from monlab.errors import ServiceError
from monlab.http_service import JsonService


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


@dataclass(frozen=True)
class RuleStatus:
    name: str
    state: str  # "inactive", "pending", "firing"
    health: str  # "ok", "nodata", "error"
    last_error: str
    last_evaluation: str = ""  # when Grafana last evaluated it (RFC 3339; year 1 before the first time)

    @property
    def evaluated_fine(self) -> bool:
        return self.health in ("ok", "nodata") and bool(self.last_evaluation) and not self.last_evaluation.startswith("0001-")


class LoginRefused(ServiceError):
    """Grafana refused the admin login. Asking again only brings its brute-force lock closer."""


def refused_login(response: httpx.Response) -> bool:
    """401/403, or the 400 some Grafana versions answer a wrong password with (its message says so)."""
    if response.status_code in (401, 403):
        return True
    message = str(_json_or_empty(response).get("message", "")).lower() if response.status_code == 400 else ""
    return "password" in message or "credentials" in message


class GrafanaAPI(JsonService):
    name = "Grafana"

    def __init__(
        self,
        base_url: str,
        user: str = "admin",
        password: str = "",
        timeout: float = 5.0,
        transport: httpx.BaseTransport | None = None,
        status_command: str = "monlab status",
    ) -> None:
        super().__init__(base_url, timeout=timeout, transport=transport, auth=(user, password),
                         status_command=status_command)

    def unreachable_hint(self) -> str:
        return f"Run `{self.status_command}` to see the stack; Grafana needs 60-90 s on its first start."

    def check_status(self, response: httpx.Response, path: str) -> None:
        if refused_login(response):
            raise LoginRefused(
                f"Grafana at {self.base_url} refused the login ({response.status_code} on {path})",
                f"Use the password `{self.status_command}` shows; an old Grafana volume keeps its old password.",
            )
        super().check_status(response, path)


    def health(self) -> Health:
        """GET /api/health, which needs no login; its `database` is "ok" once migrations are done."""
        body = self.get_json("/api/health")
        return Health(database=str(body.get("database", "")), version=str(body.get("version", "")))

    def is_healthy(self) -> bool:
        try:
            return self.health().ok
        except ServiceError:
            return False

    def datasource_health(self, uid: str) -> tuple[bool, str]:
        """GET /api/datasources/uid/UID/health (admin): Grafana queries the datasource itself."""
        response = self.get(f"/api/datasources/uid/{uid}/health")
        if response.status_code == 404:
            return False, f"no datasource with uid {uid}"
        if refused_login(response):  # a refused login raises; any other 400/500 is the datasource's verdict
            self.check_status(response, f"/api/datasources/uid/{uid}/health")
        body = _json_or_empty(response)
        ok = response.status_code == 200 and str(body.get("status", "")).upper() == "OK"
        return ok, str(body.get("message", "")) or f"status {response.status_code}"

    def has_dashboard(self, uid: str) -> bool:
        response = self.get(f"/api/dashboards/uid/{uid}")
        if response.status_code == 404:
            return False
        self.check_status(response, f"/api/dashboards/uid/{uid}")
        return True

    def provisioned_rule_uids(self) -> set[str]:
        """Uids of every alert rule Grafana has, via the provisioning API (admin)."""
        return {str(rule.get("uid", "")) for rule in self.get_json("/api/v1/provisioning/alert-rules")}

    def dashboards(self) -> list[Dashboard]:
        hits = self.get_json("/api/search", type="dash-db")
        return [
            Dashboard(uid=h.get("uid", ""), title=h.get("title", ""), url=h.get("url", ""), folder=h.get("folderTitle", ""))
            for h in hits
        ]

    def alert_rules(self) -> list[RuleStatus]:
        """Grafana-managed rules as its Prometheus-style rules API reports them."""
        body = self.get_json("/api/prometheus/grafana/api/v1/rules")
        if body.get("status") != "success":
            raise ServiceError(f"Grafana did not list its alert rules: {body.get('error', 'unknown error')}")
        return [
            RuleStatus(rule["name"], rule.get("state", "unknown"), rule.get("health", ""), rule.get("lastError", ""),
                       rule.get("lastEvaluation", ""))
            for group in body["data"]["groups"]
            for rule in group.get("rules", [])
        ]

    def add_annotation(self, dashboard_uid: str, text: str, tags: list[str], at_ms: int) -> int:
        """POST /api/annotations: an event on the dashboard at `at_ms` (epoch ms); returns its id."""
        body = {"dashboardUID": dashboard_uid, "time": at_ms, "text": text, "tags": tags}
        response = self.post("/api/annotations", body)
        self.check_status(response, "/api/annotations")
        answer = _json_or_empty(response)
        if not isinstance(answer.get("id"), int):
            raise ServiceError(f"Grafana at {self.base_url} did not say which annotation it added: {response.text[:80]}")
        return answer["id"]

    def annotations(self, dashboard_uid: str, tags: tuple[str, ...] = ()) -> list[dict[str, Any]]:
        """GET /api/annotations of one dashboard (with all of `tags`), newest first."""
        params: dict[str, Any] = {"dashboardUID": dashboard_uid}
        if tags:
            params["tags"] = list(tags)
        return list(self.get_json("/api/annotations", **params))

    def alert_rule_states(self) -> dict[str, str]:
        """{rule title: state} for Grafana-managed rules: "inactive", "pending", "firing", ..."""
        return {rule.name: rule.state for rule in self.alert_rules()}


def _json_or_empty(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}
