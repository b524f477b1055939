"""Consistency checks over rendered Grafana files, the things Grafana only reports in its log at start-up.

Grafana cannot run here, so these are what stands between a render and a dashboard of "No data":
every panel and rule must point at the provisioned datasource uid, alert rule data must be wired
(refIds, condition), and rule links must name real panels.
"""

from __future__ import annotations

import json
from typing import Any

import yaml

from monlab.render.context import DASHBOARD_UID
from monlab.render.grafana_dashboard import DASHBOARD_FILE
from monlab.render.grafana_provisioning import (
    ALERTS_FILE, DASHBOARDS_DIR, DATASOURCE_FILE, EXPRESSION_UID, PROVIDER_FILE,
)

GROUP_KEYS = ("orgId", "name", "folder", "interval", "rules")
RULE_KEYS = ("uid", "title", "condition", "data", "for", "noDataState", "execErrState", "labels", "annotations")
QUERY_KEYS = ("refId", "datasourceUid", "relativeTimeRange", "model")


def grafana_problems(files: dict[str, str]) -> list[str]:
    """Everything wrong with one render's Grafana files; empty when they hang together."""
    problems = [f"{path}: contains ${{DS_...}}, which file provisioning never resolves"
                for path, text in files.items() if "${DS_" in text]
    uid = _datasource_uid(files.get(DATASOURCE_FILE, ""), problems)
    problems += _provider_problems(files.get(PROVIDER_FILE, ""))
    panel_ids = _dashboard_problems(files.get(DASHBOARD_FILE, "{}"), uid, problems)
    problems += _alert_file_problems(files.get(ALERTS_FILE, ""), uid, panel_ids)
    return problems


def dashboard_targets(dashboard: dict[str, Any]) -> list[dict[str, Any]]:
    return [t for panel in dashboard_panels(dashboard) for t in panel.get("targets", [])]


def dashboard_panels(dashboard: dict[str, Any]) -> list[dict[str, Any]]:
    """Every panel except rows, including panels nested in collapsed rows."""
    panels = []
    for panel in dashboard.get("panels", []):
        panels.extend(panel.get("panels", []) if panel.get("type") == "row" else [panel])
    return panels


def _datasource_uid(text: str, problems: list[str]) -> str | None:
    sources = (yaml.safe_load(text) or {}).get("datasources", [])
    defaults = [s for s in sources if s.get("isDefault")]
    if len(defaults) != 1 or defaults[0].get("type") != "prometheus" or not defaults[0].get("uid"):
        problems.append(f"{DATASOURCE_FILE}: needs exactly one default Prometheus datasource with a fixed uid")
        return None
    return defaults[0]["uid"]


def _provider_problems(text: str) -> list[str]:
    providers = (yaml.safe_load(text) or {}).get("providers", [])
    paths = [p.get("options", {}).get("path") for p in providers]
    if paths != [DASHBOARDS_DIR]:
        return [f"{PROVIDER_FILE}: one file provider reading {DASHBOARDS_DIR} expected, found paths {paths}"]
    return []


def _dashboard_problems(text: str, uid: str | None, problems: list[str]) -> set[int]:
    dashboard = json.loads(text)
    where = DASHBOARD_FILE
    if dashboard.get("uid") != DASHBOARD_UID:
        problems.append(f"{where}: uid must be {DASHBOARD_UID!r}, got {dashboard.get('uid')!r}")
    rows = [p for p in dashboard.get("panels", []) if p.get("type") == "row"]
    all_ids = [p.get("id") for p in rows + dashboard_panels(dashboard)]
    if len(all_ids) != len(set(all_ids)) or None in all_ids:
        problems.append(f"{where}: panel ids must be present and unique, got {all_ids}")
    for panel in dashboard_panels(dashboard):
        title = panel.get("title")
        if panel.get("datasource", {}).get("uid") != uid:
            problems.append(f"{where}: panel {title!r} does not use datasource uid {uid!r}")
        if not panel.get("targets"):
            problems.append(f"{where}: panel {title!r} has no query")
        for target in panel.get("targets", []):
            if not target.get("refId"):
                problems.append(f"{where}: a query of panel {title!r} has no refId")
            if target.get("datasource", {}).get("uid") != uid:
                problems.append(f"{where}: a query of panel {title!r} does not use datasource uid {uid!r}")
    return {i for i in all_ids if isinstance(i, int)}


def _alert_file_problems(text: str, uid: str | None, panel_ids: set[int]) -> list[str]:
    data = yaml.safe_load(text) or {}
    if data.get("apiVersion") != 1:
        return [f"{ALERTS_FILE}: apiVersion must be 1"]
    problems = []
    for group in data.get("groups", []):
        missing = [k for k in GROUP_KEYS if k not in group]
        if missing:
            problems.append(f"{ALERTS_FILE}: group {group.get('name')!r} lacks {', '.join(missing)}")
        for rule in group.get("rules", []):
            problems += [f"{ALERTS_FILE}: rule {rule.get('title')!r}: {p}" for p in _rule_problems(rule, uid, panel_ids)]
    return problems


def _rule_problems(rule: dict[str, Any], uid: str | None, panel_ids: set[int]) -> list[str]:
    problems = [f"lacks {key}" for key in RULE_KEYS if key not in rule]
    data = rule.get("data", [])
    ref_ids = [q.get("refId") for q in data]
    if len(ref_ids) != len(set(ref_ids)):
        problems.append(f"refIds are not unique: {ref_ids}")
    if rule.get("condition") not in ref_ids:
        problems.append(f"condition {rule.get('condition')!r} names no refId of {ref_ids}")
    for query in data:
        problems += _query_problems(query, uid, ref_ids)
    annotations = rule.get("annotations", {})
    if "__panelId__" in annotations:
        if annotations.get("__dashboardUid__") != DASHBOARD_UID or int(annotations["__panelId__"]) not in panel_ids:
            problems.append(f"links to a panel that does not exist ({annotations.get('__dashboardUid__')}/{annotations['__panelId__']})")
    return problems


def _query_problems(query: dict[str, Any], uid: str | None, ref_ids: list[str]) -> list[str]:
    ref = query.get("refId")
    problems = [f"data {ref!r} lacks {key}" for key in QUERY_KEYS if key not in query]
    model = query.get("model", {})
    if query.get("datasourceUid") == EXPRESSION_UID:
        if model.get("type") not in ("reduce", "threshold", "math", "classic_conditions", "resample"):
            problems.append(f"expression {ref!r} has unknown type {model.get('type')!r}")
        if model.get("expression") not in ref_ids:
            problems.append(f"expression {ref!r} reads {model.get('expression')!r}, which is no refId")
        return problems
    if query.get("datasourceUid") != uid:
        problems.append(f"query {ref!r} does not use datasource uid {uid!r} (it names {query.get('datasourceUid')!r})")
    window = query.get("relativeTimeRange", {})
    if not window.get("from", 0) > window.get("to", 0):
        problems.append(f"query {ref!r} has an empty relativeTimeRange {window}")
    if not model.get("expr"):
        problems.append(f"query {ref!r} has no expr")
    return problems
