"""Numeric Grafana ids for catalog panels and links to them.

Ids are derived from the section number and the panel's place in it (§5's second panel is 502), so
they stay the same across renders and only change when that section's own panels move.
"""

from __future__ import annotations

import re

from monlab.catalog import Catalog, load_catalog
from monlab.chart_panels import section_charts
from monlab.errors import ConfigError
from monlab.render.context import DASHBOARD_TITLE, DASHBOARD_UID

MAX_PANELS_PER_SECTION = 99


def row_id(section_number: int) -> int:
    return section_number * 100


def panel_numeric_ids(catalog: Catalog) -> dict[str, int]:
    """Also for the charts of alert queries (chart_panels), numbered after the section's own panels
    so adding one never renumbers a lecture panel."""
    ids: dict[str, int] = {}
    for section in catalog.sections:
        charts = section_charts(section)
        if len(charts) > MAX_PANELS_PER_SECTION:
            raise ConfigError(f"Section {section.name} has more than {MAX_PANELS_PER_SECTION} panels",
                              "Split it into two sections.")
        own = {p.id for p in section.panels}
        for index, panel in enumerate([p for p in charts if p.id in own] + [p for p in charts if p.id not in own], start=1):
            ids[panel.id] = row_id(section.number) + index
    return ids


def slug(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")


def dashboard_path() -> str:
    return f"/d/{DASHBOARD_UID}/{slug(DASHBOARD_TITLE)}"


def panel_path(panel_id: str, catalog: Catalog) -> str:
    ids = panel_numeric_ids(catalog)
    if panel_id not in ids:
        raise ConfigError(f"No panel {panel_id!r} in the catalog", "See labs/*.yaml for the panel ids.")
    return f"{dashboard_path()}?viewPanel={ids[panel_id]}"


def panel_url(grafana_base_url: str, panel_id: str, catalog: Catalog | None = None) -> str:
    """The lecture dashboard showing only this catalog panel, e.g. for a lab's "look at" line."""
    return grafana_base_url.rstrip("/") + panel_path(panel_id, catalog or load_catalog())
