"""Grafana's file provisioning: the datasource, the dashboard provider and alert rules in the FILE format.

The alert rules are written here rather than with the SDK's alerting builders, which emit the
HTTP-API shape that file provisioning does not read.
"""

from __future__ import annotations

from typing import Any

from monlab.catalog import ALERT_OPS, Alert, Catalog, Section
from monlab.render.alert_meta import alert_labels, alerts_by_section
from monlab.render.context import DASHBOARD_UID, GRAFANA_FOLDER, RenderContext
from monlab.render.panels import panel_numeric_ids

DATASOURCE_FILE = "provisioning/datasources/monlab.yml"
PROVIDER_FILE = "provisioning/dashboards/monlab.yml"
ALERTS_FILE = "provisioning/alerting/monlab-alerts.yml"
DASHBOARDS_DIR = "/etc/grafana/dashboards"

EXPRESSION_UID = "__expr__"
QUERY_WINDOW_SECONDS = 600


def datasources(ctx: RenderContext) -> dict[str, Any]:
    return {
        "apiVersion": 1,
        "datasources": [{
            "name": "Prometheus",
            "type": "prometheus",
            "uid": ctx.datasource_uid,
            "access": "proxy",
            "url": ctx.prometheus_url,
            "isDefault": True,
            "editable": False,
            # Tells Grafana the scrape interval, so $__rate_interval never falls below two samples.
            "jsonData": {"timeInterval": ctx.scrape_interval, "httpMethod": "POST"},
        }],
    }


def dashboard_provider() -> dict[str, Any]:
    return {
        "apiVersion": 1,
        "providers": [{
            "name": "monlab",
            "orgId": 1,
            "folder": GRAFANA_FOLDER,
            "type": "file",
            # A dashboard whose file is gone (dropped from the catalog) is deleted on the next start.
            "disableDeletion": False,
            "allowUiUpdates": False,
            "updateIntervalSeconds": 30,
            "options": {"path": DASHBOARDS_DIR, "foldersFromFilesStructure": False},
        }],
    }


def alert_rules(ctx: RenderContext, catalog: Catalog) -> dict[str, Any]:
    ids = panel_numeric_ids(catalog)
    rules = {
        "apiVersion": 1,
        "groups": [{
            "orgId": 1,
            "name": "monlab-lecture",
            "folder": GRAFANA_FOLDER,
            "interval": ctx.grafana_rule_interval,
            "rules": [_rule(ctx, section, alert, ids) for section, alert in alerts_by_section(catalog)],
        }],
    }
    # Grafana never prunes file-provisioned rules: one dropped from the catalog keeps firing unless
    # listed here (pkg/services/provisioning/alerting/rules_provisioner.go).
    current = {alert.uid for alert in catalog.alerts}
    retired = sorted(set(ctx.retired_rule_uids) - current)
    if retired:
        rules["deleteRules"] = [{"orgId": 1, "uid": uid} for uid in retired]
    return rules


def _rule(ctx: RenderContext, section: Section, alert: Alert, ids: dict[str, int]) -> dict[str, Any]:
    rule: dict[str, Any] = {
        "uid": alert.uid,
        "title": alert.name,
        "condition": "C",
        "data": [_query(ctx, alert), _reduce(), _threshold(alert)],
        # No series (an idle app has no error ratio) means nothing to alert on, not a broken rule.
        "noDataState": "OK",
        "execErrState": "Error",
        "for": alert.for_,
        "labels": alert_labels(section, alert),
        "annotations": {"summary": alert.summary},
        "isPaused": False,
    }
    if alert.panel:
        panel_id = ids[alert.panel]
        rule["dashboardUid"] = DASHBOARD_UID
        rule["panelId"] = panel_id
        rule["annotations"].update({"__dashboardUid__": DASHBOARD_UID, "__panelId__": str(panel_id)})
    return rule


def _query(ctx: RenderContext, alert: Alert) -> dict[str, Any]:
    return {
        "refId": "A",
        "relativeTimeRange": {"from": QUERY_WINDOW_SECONDS, "to": 0},
        "datasourceUid": ctx.datasource_uid,
        "model": {
            "refId": "A",
            "datasource": {"type": "prometheus", "uid": ctx.datasource_uid},
            "expr": alert.query,
            "instant": True,
            "range": False,
            "intervalMs": 1000,
            "maxDataPoints": 43200,
        },
    }


def _expression(ref_id: str, model: dict[str, Any]) -> dict[str, Any]:
    return {
        "refId": ref_id,
        "relativeTimeRange": {"from": 0, "to": 0},
        "datasourceUid": EXPRESSION_UID,
        "model": {"refId": ref_id, "datasource": {"type": EXPRESSION_UID, "uid": EXPRESSION_UID}, **model},
    }


def _reduce() -> dict[str, Any]:
    # dropNN: a ratio over zero traffic is NaN; dropping it reads as "no data", not as a breach.
    return _expression("B", {"type": "reduce", "expression": "A", "reducer": "last", "settings": {"mode": "dropNN"}})


def _threshold(alert: Alert) -> dict[str, Any]:
    evaluator = {"type": ALERT_OPS[alert.op], "params": [alert.threshold]}
    return _expression("C", {"type": "threshold", "expression": "B", "conditions": [{"evaluator": evaluator}]})
