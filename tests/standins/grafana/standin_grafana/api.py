"""The part of Grafana's HTTP API that monlab uses, with Grafana's paths, auth and JSON shapes.

Sources (pkg/api/api.go registers the routes): /api/health (health.go, no auth), /api/frontend/settings
(frontendsettings.go: appUrl is [server] root_url with a trailing slash), /api/search (search.go),
/api/dashboards/uid/:uid (dashboard.go), /api/datasources/uid/:uid/health (datasources.go
CheckDatasourceHealthWithUID), /api/v1/provisioning/alert-rules (ngalert/api/api_provisioning.go),
/api/prometheus/grafana/api/v1/rules (ngalert/api/prometheus/api_prometheus.go), GET and POST
/api/annotations (annotations.go; see annotations.py).
Auth: basic auth of the admin user, or anonymous with GF_AUTH_ANONYMOUS_ORG_ROLE when
GF_AUTH_ANONYMOUS_ENABLED=true; reading dashboards, search, rule state and datasource health is a
Viewer's right, the provisioning API and datasource settings need Admin. (Grafana decides by RBAC
permissions such as alert.provisioning:read; the role levels here are the stand-in's simplification.)
"""

from __future__ import annotations

import base64
import json
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler
from typing import Any, Callable

from . import VERSION
from . import annotations
from .datasources import by_uid
from .errors import ApiError
from .evaluate import StateManager
from .store import Store

ROLES = {"Viewer": 1, "Editor": 2, "Admin": 3}
HEALTH_OK = "Successfully queried the Prometheus API."  # pkg/promlib/healthcheck.go
HEALTH_FAILED = "There was an error returned querying the Prometheus API."
_UID_PATTERN = re.compile(r"^[a-zA-Z0-9\-_]*$")  # util.IsValidShortUID


class Context:
    def __init__(self, store: Store, states: StateManager, settings: dict[str, Any]) -> None:
        self.store, self.states, self.settings = store, states, settings


def handler_class(ctx: Context) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "Grafana-standin"

        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            url = urllib.parse.urlsplit(self.path)
            self._route(ROUTES, url.path, urllib.parse.parse_qs(url.query))

        def do_POST(self) -> None:  # noqa: N802
            url = urllib.parse.urlsplit(self.path)
            self._route(POST_ROUTES, url.path, self._json_body)

        def _json_body(self) -> Any:
            """The request's JSON (read only once authorized); one that does not parse is web.Bind's 400."""
            length = int(self.headers.get("Content-Length") or 0)
            try:
                return json.loads(self.rfile.read(length) or b"null")
            except ValueError as exc:
                raise ApiError(400, "bad request data") from exc

        def _route(self, routes: list[tuple[str, str, "View"]], path: str, request: Any) -> None:
            try:
                for pattern, role, view in routes:
                    match = re.fullmatch(pattern, path.rstrip("/") or "/")
                    if match:
                        if role:
                            _authorize(ctx, self.headers.get("Authorization"), role)
                        status, body = view(ctx, request() if callable(request) else request, *match.groups())
                        return self._send(status, body)
                raise ApiError(404, "Not found")
            except ApiError as exc:
                self._send(exc.status, {"message": exc.message})

        def _send(self, status: int, body: Any) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - quiet, like Grafana's default router logging
            pass

    return Handler


def _authorize(ctx: Context, header: str | None, needed: str) -> None:
    settings = ctx.settings
    if header and header.startswith("Basic "):
        try:
            user, _, password = base64.b64decode(header[6:]).decode().partition(":")
        except ValueError as exc:
            raise ApiError(401, "Invalid username or password") from exc
        admin = ctx.store.data["admin"]
        if user != admin.get("login") or password != admin.get("password"):
            raise ApiError(401, "Invalid username or password")
        role = "Admin"
    elif settings["anonymous"]:
        role = settings["anonymous_role"]
    else:
        raise ApiError(401, "Unauthorized")
    if ROLES.get(role, 0) < ROLES[needed]:
        raise ApiError(403, "You'll need additional permissions to perform this action.")


def health(ctx: Context, query: dict) -> tuple[int, Any]:
    return 200, {"commit": "standin", "database": "ok", "version": VERSION}


def frontend_settings(ctx: Context, query: dict) -> tuple[int, Any]:
    return 200, {
        "appUrl": ctx.settings["root_url"], "appSubUrl": "",
        "anonymousEnabled": ctx.settings["anonymous"],
        "buildInfo": {"version": VERSION, "commit": "standin", "edition": "Open Source", "env": "production"},
    }


def _slug(title: str) -> str:
    return re.sub(r"-+", "-", re.sub(r"[^a-z0-9]+", "-", title.lower())).strip("-")


def _folder(ctx: Context, uid: str) -> dict[str, Any]:
    folder = ctx.store.folder_by_uid(uid) if uid else None
    if not folder:
        return {"folderId": 0, "folderUid": "", "folderTitle": "General", "folderUrl": ""}
    return {"folderId": folder["id"], "folderUid": uid, "folderTitle": folder["title"],
            "folderUrl": f"/dashboards/f/{uid}/{_slug(folder['title'])}"}


def search(ctx: Context, query: dict) -> tuple[int, Any]:
    kind = (query.get("type") or [""])[0]
    text = (query.get("query") or [""])[0].lower()
    hits = []
    with ctx.store.lock:
        if kind in ("", "dash-folder"):
            for folder in ctx.store.data["folders"].values():
                if text in folder["title"].lower():
                    hits.append({"id": folder["id"], "uid": folder["uid"], "title": folder["title"], "type": "dash-folder",
                                 "url": f"/dashboards/f/{folder['uid']}/{_slug(folder['title'])}", "tags": [], "isStarred": False})
        if kind in ("", "dash-db"):
            for entry in ctx.store.data["dashboards"].values():
                if text in entry["title"].lower():
                    slug = _slug(entry["title"])
                    hits.append({"id": entry["id"], "uid": entry["uid"], "title": entry["title"], "type": "dash-db",
                                 "uri": f"db/{slug}", "url": f"/d/{entry['uid']}/{slug}", "slug": "",
                                 "tags": entry["dashboard"].get("tags", []), "isStarred": False,
                                 **_folder(ctx, entry["folderUid"])})
    return 200, sorted(hits, key=lambda h: (h["type"] != "dash-folder", h["title"].lower()))


def dashboard_by_uid(ctx: Context, query: dict, uid: str) -> tuple[int, Any]:
    with ctx.store.lock:
        entry = ctx.store.data["dashboards"].get(uid)
        if entry is None:
            raise ApiError(404, "Dashboard not found")
        slug = _slug(entry["title"])
        meta = {"type": "db", "slug": slug, "url": f"/d/{uid}/{slug}", "version": entry["version"],
                "provisioned": bool(entry.get("provisioned")),
                "provisionedExternalId": entry.get("external_id", "").rsplit("/", 1)[-1] if entry.get("provisioned") else "",
                "canSave": False, "canEdit": False, **_folder(ctx, entry["folderUid"])}
        return 200, {"dashboard": entry["dashboard"], "meta": meta}


def datasources_list(ctx: Context, query: dict) -> tuple[int, Any]:
    with ctx.store.lock:
        return 200, [_datasource_dto(ds) for ds in ctx.store.data["datasources"].values()]


def datasource_by_uid(ctx: Context, query: dict, uid: str) -> tuple[int, Any]:
    ds = by_uid(ctx.store, uid)
    if ds is None:
        raise ApiError(404, "Data source not found")
    return 200, _datasource_dto(ds)


def _datasource_dto(ds: dict[str, Any]) -> dict[str, Any]:
    return {"id": ds["id"], "uid": ds["uid"], "orgId": ds["orgId"], "name": ds["name"], "type": ds["type"],
            "access": ds["access"], "url": ds["url"], "isDefault": ds["isDefault"], "jsonData": ds["jsonData"],
            "readOnly": not ds.get("editable", False)}


def datasource_health(ctx: Context, query: dict, uid: str) -> tuple[int, Any]:
    if not _UID_PATTERN.match(uid):
        raise ApiError(400, "UID is invalid")
    ds = by_uid(ctx.store, uid)
    if ds is None:
        # datasources.go CheckDatasourceHealthWithUID: any lookup error other than access denied
        raise ApiError(500, "Unable to load datasource metadata")
    if ds["type"] != "prometheus":
        raise ApiError(500, f"monlab's Grafana stand-in checks only prometheus datasources, not {ds['type']!r}")
    url = ds["url"].rstrip("/") + "/api/v1/query"
    body = urllib.parse.urlencode({"query": "1+1", "time": f"{time.time():.3f}"}).encode()
    try:
        request = urllib.request.Request(url, data=body, method="POST",
                                         headers={"Content-Type": "application/x-www-form-urlencoded"})
        with urllib.request.urlopen(request, timeout=10) as response:
            answer = json.loads(response.read())
        if answer.get("status") != "success":
            raise ValueError(answer.get("error", "unexpected answer"))
    except urllib.error.HTTPError as exc:
        return 400, {"status": "ERROR", "message": f"{exc.code} {exc.reason} - {HEALTH_FAILED}"}
    except (OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        return 400, {"status": "ERROR", "message": f'Post "{url}": {reason} - {HEALTH_FAILED}'}
    details = {"application": "Prometheus", "features": {"rulerApiEnabled": False}}
    return 200, {"status": "OK", "message": HEALTH_OK, "details": details}


def folders(ctx: Context, query: dict) -> tuple[int, Any]:
    with ctx.store.lock:
        return 200, [{"id": f["id"], "uid": f["uid"], "title": f["title"]} for f in ctx.store.data["folders"].values()]


def _duration_text(seconds: float) -> str:
    # model.Duration String(): 10s, 1m, 1m30s, 0s
    seconds = int(seconds)
    if seconds == 0:
        return "0s"
    out = ""
    for unit, size in (("h", 3600), ("m", 60), ("s", 1)):
        if seconds >= size:
            out += f"{seconds // size}{unit}"
            seconds %= size
    return out


def _provisioned_rule(rule: dict[str, Any]) -> dict[str, Any]:
    # definitions.ProvisionedAlertRule
    return {
        "id": rule["id"], "uid": rule["uid"], "orgID": rule["orgId"], "folderUID": rule["folderUID"],
        "ruleGroup": rule["ruleGroup"], "title": rule["title"], "condition": rule["condition"],
        "data": rule["data"], "noDataState": rule["noDataState"], "execErrState": rule["execErrState"],
        "for": _duration_text(rule["for"]), "annotations": rule["annotations"], "labels": rule["labels"],
        "provenance": rule.get("provenance", "file"), "isPaused": rule["isPaused"],
        "notification_settings": None, "record": None,
    }


def provisioning_rules(ctx: Context, query: dict) -> tuple[int, Any]:
    with ctx.store.lock:
        rules = sorted(ctx.store.data["rules"].values(), key=lambda r: r["id"])
        return 200, [_provisioned_rule(r) for r in rules]


def provisioning_rule(ctx: Context, query: dict, uid: str) -> tuple[int, Any]:
    with ctx.store.lock:
        rule = ctx.store.data["rules"].get(uid)
        if rule is None:
            return 404, None  # api_provisioning.go RouteGetAlertRule: ErrAlertRuleNotFound -> empty 404
        return 200, _provisioned_rule(rule)


def _iso(ts: float | None) -> str:
    if not ts:
        return "0001-01-01T00:00:00Z"
    return datetime.fromtimestamp(ts, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def prometheus_rules(ctx: Context, query: dict) -> tuple[int, Any]:
    with ctx.store.lock:
        rules = [json.loads(json.dumps(r)) for r in ctx.store.data["rules"].values()]
    groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for rule in rules:
        groups.setdefault((rule["folderUID"], rule["ruleGroup"]), []).append(rule)
    out, totals = [], {}
    for (folder_uid, name), members in groups.items():
        folder = ctx.store.folder_by_uid(folder_uid) or {"title": ""}
        group = {"name": name, "file": folder["title"], "folderUid": folder_uid, "rules": [],
                 "interval": members[0]["intervalSeconds"], "lastEvaluation": _iso(None), "evaluationTime": 0}
        for rule in sorted(members, key=lambda r: r.get("ruleGroupIndex", 0)):
            entry = _rule_status(ctx, rule, folder["title"])
            group["rules"].append(entry)
            totals[entry["state"]] = totals.get(entry["state"], 0) + 1
            if entry["health"] in ("error", "nodata"):
                totals[entry["health"]] = totals.get(entry["health"], 0) + 1
            group["lastEvaluation"], group["evaluationTime"] = entry["lastEvaluation"], entry["evaluationTime"]
        out.append(group)
    out.sort(key=lambda g: (g["file"], g["name"]))  # RuleGroupsByFileAndName
    return 200, {"status": "success", "data": {"groups": out, "totals": totals}}


def _rule_status(ctx: Context, rule: dict[str, Any], folder_title: str) -> dict[str, Any]:
    instances, last = ctx.states.snapshot(rule["uid"])
    state, health, last_error, active_at = "inactive", "ok", "", None
    alerts, counts = [], {}
    for inst in instances:
        kind = inst["state"]
        counts[kind.lower()] = counts.get(kind.lower(), 0) + 1
        if kind == "Pending" and state == "inactive":
            state = "pending"
        elif kind == "Alerting":
            state = "firing"
            active_at = min(active_at or inst["startsAt"], inst["startsAt"])
        elif kind == "Error":
            health = "error"
        elif kind == "NoData":
            health = "nodata"
        if inst.get("error"):
            health, last_error = "error", inst["error"]
        labels = {**rule["labels"], **inst["labels"], "alertname": rule["title"], "grafana_folder": folder_title}
        value = "" if inst.get("value") is None else f"[ var='{rule['condition']}' value={inst['value']:g} ]"
        alerts.append({"labels": labels, "annotations": rule["annotations"], "activeAt": _iso(inst["startsAt"]),
                       "value": value if kind in ("Alerting", "Pending") else "",
                       "state": kind + (f" ({inst['reason']})" if inst.get("reason") else "")})
    exprs = [q["model"].get("expr") for q in rule["data"] if q["model"].get("expr")]
    return {
        "state": state, "name": rule["title"], "query": " | ".join(exprs) or json.dumps(rule["data"]),
        "duration": rule["for"], "annotations": rule["annotations"], "alerts": alerts, "totals": counts,
        "activeAt": _iso(active_at) if active_at else None, "uid": rule["uid"], "folderUid": rule["folderUID"],
        "labels": rule["labels"], "health": health, "lastError": last_error, "type": "alerting",
        "lastEvaluation": _iso(last["at"] if last else None), "evaluationTime": last["took"] if last else 0,
        "isPaused": rule["isPaused"],
    }


def annotations_find(ctx: Context, query: dict) -> tuple[int, Any]:
    return 200, annotations.find(ctx.store, query)


def annotations_add(ctx: Context, body: Any) -> tuple[int, Any]:
    return 200, annotations.add(ctx.store, body, {"id": 1})  # the admin (user id 1) or an anonymous Editor


View = Callable[..., tuple[int, Any]]
ROUTES: list[tuple[str, str, View]] = [
    (r"/api/health", "", health),
    (r"/api/frontend/settings", "Viewer", frontend_settings),
    (r"/api/search", "Viewer", search),
    (r"/api/dashboards/uid/([^/]+)", "Viewer", dashboard_by_uid),
    (r"/api/folders", "Viewer", folders),
    (r"/api/datasources", "Admin", datasources_list),
    (r"/api/datasources/uid/([^/]+)/health", "Viewer", datasource_health),
    (r"/api/datasources/uid/([^/]+)", "Admin", datasource_by_uid),
    (r"/api/v1/provisioning/alert-rules", "Admin", provisioning_rules),
    (r"/api/v1/provisioning/alert-rules/([^/]+)", "Admin", provisioning_rule),
    (r"/api/prometheus/grafana/api/v1/rules", "Viewer", prometheus_rules),
    (r"/api/annotations", "Viewer", annotations_find),
]
POST_ROUTES: list[tuple[str, str, View]] = [
    (r"/api/annotations", "Editor", annotations_add),
]
