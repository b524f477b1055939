"""The lecture dashboard, built with grafana-foundation-sdk from the catalog: a row per section."""

from __future__ import annotations

import json
from typing import Any

from grafana_foundation_sdk.builders import common, dashboard, prometheus, stat, timeseries
from grafana_foundation_sdk.cog.encoder import JSONEncoder
from grafana_foundation_sdk.models import common as common_models
from grafana_foundation_sdk.models import dashboard as dashboard_models
from grafana_foundation_sdk.models.dashboard import DataSourceRef

from monlab.catalog import Catalog, Panel, Section
from monlab.chart_panels import Threshold, section_charts, thresholds_on
from monlab.render.context import DASHBOARD_TITLE, DASHBOARD_UID, RenderContext
from monlab.render.panels import panel_numeric_ids, row_id

DASHBOARD_FILE = "dashboards/lecture.json"
PANEL_HEIGHT = 8
GRID_WIDTH = 24
PANELS_PER_LINE = 3
QUERY_REF_ID = "A"


def datasource_ref(ctx: RenderContext) -> DataSourceRef:
    return DataSourceRef(type_val="prometheus", uid=ctx.datasource_uid)


def build_dashboard(ctx: RenderContext, catalog: Catalog) -> dict[str, Any]:
    ids = panel_numeric_ids(catalog)
    builder = (
        dashboard.Dashboard(DASHBOARD_TITLE)
        .uid(DASHBOARD_UID)
        .tags(["monlab", "lecture"])
        .refresh("5s")
        .time("now-15m", "now")
        .editable()
        # Grafana's UI expects both lists; the built-in query draws alert state changes on the panels.
        .annotation(_alert_annotations())
        .variables([])
    )
    for section in catalog.sections:
        charts = section_charts(section)  # each panel, then the query of an alert it does not draw (§7)
        if not charts:
            continue
        # Expanded rows: Grafana expects their panels at the top level after the row, not inside it.
        builder.with_row(dashboard.Row(section_title(section)).id(row_id(section.number)).collapsed(False))
        width = GRID_WIDTH // min(len(charts), PANELS_PER_LINE)
        for panel in charts:
            builder.with_panel(_panel(ctx, panel, ids[panel.id], width, thresholds_on(panel, catalog.alerts)))
    # Round-trip through the SDK's encoder so the result is plain JSON data.
    return json.loads(json.dumps(builder.build(), cls=JSONEncoder))


def _alert_annotations() -> dashboard.AnnotationQuery:
    return (
        dashboard.AnnotationQuery()
        .name("Annotations & Alerts")
        .datasource(DataSourceRef(type_val="grafana", uid="-- Grafana --"))
        .type("dashboard")
        .built_in(1)
        .enable(True)
        .hide(True)
        .icon_color("rgba(0, 211, 255, 1)")
        # type "dashboard": Grafana asks /api/annotations for this dashboard's own annotations, which is
        # where the labs post the app's restarts (what Grafana writes for its default query)
        .target(dashboard.AnnotationTarget().limit(100).match_any(False).tags([]).type("dashboard"))
    )


def section_title(section: Section) -> str:
    return f"§{section.number} {section.title}"


def _thresholds(thresholds: tuple[Threshold, ...]) -> dashboard.ThresholdsConfig:
    """Red on the side where the alert fires: above a `>` threshold, below a `<` one."""
    steps = [dashboard_models.Threshold(None, "green" if t.op == ">" else "red") for t in thresholds[:1]]
    steps += [dashboard_models.Threshold(t.value, "red" if t.op == ">" else "green") for t in thresholds]
    return dashboard.ThresholdsConfig().mode(dashboard_models.ThresholdsMode.ABSOLUTE).steps(steps)


def _panel(ctx: RenderContext, panel: Panel, numeric_id: int, width: int, thresholds: tuple[Threshold, ...] = ()) -> Any:
    kind = stat if panel.kind == "stat" else timeseries
    query = prometheus.Dataquery().expr(panel.expr).ref_id(QUERY_REF_ID).datasource(datasource_ref(ctx))
    if panel.legend:
        query = query.legend_format(panel.legend)
    builder = (
        kind.Panel()
        .id(numeric_id)
        .title(panel.title)
        .datasource(datasource_ref(ctx))
        .with_target(query)
        .unit(panel.unit)
        .height(PANEL_HEIGHT)
        .span(width)
    )
    if panel.description:
        builder = builder.description(panel.description)
    if thresholds:  # only an alert watching exactly this query: its threshold is in this panel's units
        builder = builder.thresholds(_thresholds(thresholds))
        if kind is timeseries:
            builder = builder.thresholds_style(common.GraphThresholdsStyleConfig().mode(common_models.GraphThresholdsStyleMode.DASHED))
    return builder
