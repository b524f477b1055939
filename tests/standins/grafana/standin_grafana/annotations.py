"""Annotations, as Grafana's HTTP API keeps them (pkg/api/annotations.go, pkg/api/dtos/annotations.go,
pkg/services/annotations/annotationsimpl/xorm_store.go):

- POST /api/annotations (PostAnnotation): a JSON PostAnnotationsCmd; a body that does not bind is
  400 "bad request data"; a `dashboardUID` of an existing dashboard sets dashboardId (an unknown one
  is ignored: the annotation then belongs to the organisation); empty `text` is 400 "Failed to save
  annotation"; `time` and `timeEnd` are epoch milliseconds, `time` 0 is now and `timeEnd` 0 is
  `time` (xorm_store Add); the answer is {"message": "Annotation added", "id": N}. Creating a
  dashboard annotation needs the right to edit the dashboard (canCreateAnnotation): Editor here.
- GET /api/annotations (GetAnnotations): filters dashboardUID (an unknown uid is 400 "Invalid
  dashboard UID in annotation request"), dashboardId, panelId, from/to (ms: the annotation's span
  overlaps), tags (all must match unless matchAny), limit (100 when absent); newest first
  (ORDER BY epoch * 1000 + epoch_end DESC); each item an annotations.ItemDTO.
"""

from __future__ import annotations

import time
from typing import Any

from .errors import ApiError
from .store import Store

DEFAULT_LIMIT = 100  # xorm_store Get: "if query.Limit == 0 { query.Limit = 100 }"


def _int(value: Any) -> int:
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, int):
        raise ApiError(400, "bad request data")  # web.Bind: json cannot unmarshal it into an int64
    return value


def _dashboard(store: Store, uid: str) -> dict[str, Any] | None:
    return store.data["dashboards"].get(uid) if uid else None


def add(store: Store, body: Any, user: dict[str, Any]) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise ApiError(400, "bad request data")
    tags = body.get("tags") or []
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        raise ApiError(400, "bad request data")
    text = body.get("text") or ""
    if not isinstance(text, str):
        raise ApiError(400, "bad request data")
    with store.lock:
        dashboard = _dashboard(store, str(body.get("dashboardUID") or ""))
        dashboard_id = dashboard["id"] if dashboard else _int(body.get("dashboardId"))
        if not text:
            raise ApiError(400, "Failed to save annotation")  # AnnotationError "text field should not be empty"
        now = int(time.time() * 1000)
        epoch = _int(body.get("time")) or now
        items = store.data.setdefault("annotations", [])
        item = {
            "id": max((a["id"] for a in items), default=0) + 1, "dashboardId": dashboard_id,
            "panelId": _int(body.get("panelId")), "userId": user.get("id", 1),
            "epoch": epoch, "epochEnd": _int(body.get("timeEnd")) or epoch,
            "text": text, "tags": list(tags), "data": body.get("data") or {}, "created": now, "updated": now,
        }
        items.append(item)
        store.save()
    return {"message": "Annotation added", "id": item["id"]}


def _first(query: dict[str, list[str]], name: str) -> str:
    return (query.get(name) or [""])[0]


def _query_int(query: dict[str, list[str]], name: str) -> int:
    # c.QueryInt64: a value that does not parse counts as 0
    try:
        return int(_first(query, name) or 0)
    except ValueError:
        return 0


def find(store: Store, query: dict[str, list[str]]) -> list[dict[str, Any]]:
    with store.lock:
        dashboard_id = _query_int(query, "dashboardId")
        uid = _first(query, "dashboardUID")
        if uid:
            dashboard = _dashboard(store, uid)
            if dashboard is None:
                raise ApiError(400, "Invalid dashboard UID in annotation request")
            dashboard_id = dashboard["id"]
        uid_by_id = {d["id"]: d["uid"] for d in store.data["dashboards"].values()}
        items = [dict(a) for a in store.data.get("annotations", [])]
    wanted = [item for item in items if _matches(item, query, dashboard_id)]
    wanted.sort(key=lambda a: a["epoch"] * 1000 + a["epochEnd"], reverse=True)
    limit = _query_int(query, "limit") or DEFAULT_LIMIT
    return [_dto(item, uid_by_id.get(item["dashboardId"])) for item in wanted[:limit]]


def _matches(item: dict[str, Any], query: dict[str, list[str]], dashboard_id: int) -> bool:
    start, end = _query_int(query, "from"), _query_int(query, "to")
    if start and end and not (item["epoch"] <= end and item["epochEnd"] >= start):
        return False
    if dashboard_id and item["dashboardId"] != dashboard_id:
        return False
    panel_id = _query_int(query, "panelId")
    if panel_id and item["panelId"] != panel_id:
        return False
    tags = query.get("tags") or []
    if tags:
        match_any = _first(query, "matchAny").lower() == "true"
        hits = [tag in item["tags"] for tag in tags]
        if not (any(hits) if match_any else all(hits)):
            return False
    return _first(query, "type") != "alert"  # every annotation here is a user's, none an alert's


def _dto(item: dict[str, Any], dashboard_uid: str | None) -> dict[str, Any]:
    # annotations.ItemDTO (pkg/services/annotations/models.go)
    return {
        "id": item["id"], "alertId": 0, "alertName": "", "dashboardId": item["dashboardId"],
        "dashboardUID": dashboard_uid, "panelId": item["panelId"], "userId": item["userId"],
        "newState": "", "prevState": "", "created": item["created"], "updated": item["updated"],
        "time": item["epoch"], "timeEnd": item["epochEnd"], "text": item["text"], "tags": item["tags"],
        "login": "admin", "email": "admin@localhost", "avatarUrl": "", "data": item["data"],
    }
