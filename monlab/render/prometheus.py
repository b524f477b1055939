"""prometheus.yml from its template and the alert rule file from the catalog."""

from __future__ import annotations

from typing import Any

from monlab.catalog import Alert, Catalog, Section
from monlab.render.alert_meta import alert_labels, alerts_by_section
from monlab.render.context import RenderContext
from monlab.render.panels import panel_path
from monlab.render.templating import render_template
from monlab.render.text import GENERATED, yaml_text

CONFIG_FILE = "prometheus.yml"
RULES_FILE = "rules/monlab-alerts.yml"
RULE_GROUP = "monlab-lecture"


def render_prometheus(ctx: RenderContext, catalog: Catalog) -> dict[str, str]:
    """Files relative to Prometheus' config root (/etc/prometheus in the container)."""
    return {
        CONFIG_FILE: render_config(ctx),
        RULES_FILE: yaml_text(alert_rules(ctx, catalog)),
    }


def render_config(ctx: RenderContext) -> str:
    return render_template(
        "prometheus.yml.j2",
        generated=GENERATED,
        project=ctx.project,
        app_target=ctx.app_target,
        scrape_interval=ctx.scrape_interval,
        scrape_timeout=ctx.scrape_timeout,
        evaluation_interval=ctx.evaluation_interval,
    )


def alert_rules(ctx: RenderContext, catalog: Catalog) -> dict[str, Any]:
    rules = [_rule(ctx, catalog, section, alert) for section, alert in alerts_by_section(catalog)]
    return {"groups": [{"name": RULE_GROUP, "rules": rules}]}


def _rule(ctx: RenderContext, catalog: Catalog, section: Section, alert: Alert) -> dict[str, Any]:
    annotations = {"summary": alert.summary}
    if alert.panel:
        annotations["dashboard"] = ctx.grafana_url.rstrip("/") + panel_path(alert.panel, catalog)
    return {
        "alert": alert.name,
        "expr": alert.expr,
        "for": alert.for_,
        "labels": alert_labels(section, alert),
        "annotations": annotations,
    }
