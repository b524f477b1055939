"""Everything monlab generates for Prometheus and Grafana, derived from the catalog (labs/*.yaml).

`render_stack` is pure: it returns file texts per service, relative to that service's config root
(/etc/prometheus and /etc/grafana in the containers). Writing them is someone else's job.
"""

from __future__ import annotations

from monlab.catalog import Catalog, load_catalog
from monlab.render import grafana_provisioning as provisioning
from monlab.render.context import DASHBOARD_UID, DATASOURCE_UID, RenderContext
from monlab.render.grafana_dashboard import DASHBOARD_FILE, build_dashboard
from monlab.render.output import write_rendered
from monlab.render.panels import panel_numeric_ids, panel_url
from monlab.render.prometheus import render_prometheus
from monlab.render.text import json_text, yaml_text

__all__ = [
    "DASHBOARD_UID", "DATASOURCE_UID", "RenderContext", "panel_numeric_ids", "panel_url",
    "render_grafana", "render_prometheus", "render_stack", "require_sound_grafana", "write_rendered",
]


def render_stack(ctx: RenderContext, catalog: Catalog | None = None) -> dict[str, dict[str, str]]:
    catalog = catalog or load_catalog()
    return {"prometheus": render_prometheus(ctx, catalog), "grafana": render_grafana(ctx, catalog)}


def require_sound_grafana(files: dict[str, str]) -> None:
    """Refuse Grafana files that Grafana would reject or run broken, before any container starts."""
    from monlab.errors import ConfigError
    from monlab.render.grafana_checks import grafana_problems

    problems = grafana_problems(files)
    if problems:
        raise ConfigError(
            f"The generated Grafana provisioning is broken: {problems[0]}"
            + (f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""),
            "Fix the lab file it comes from; `monlab render --out DIR` writes every file to look at.",
        )


def render_grafana(ctx: RenderContext, catalog: Catalog) -> dict[str, str]:
    """Files relative to Grafana's config root (/etc/grafana in the container)."""
    return {
        provisioning.DATASOURCE_FILE: yaml_text(provisioning.datasources(ctx)),
        provisioning.PROVIDER_FILE: yaml_text(provisioning.dashboard_provider()),
        provisioning.ALERTS_FILE: yaml_text(provisioning.alert_rules(ctx, catalog)),
        DASHBOARD_FILE: json_text(build_dashboard(ctx, catalog)),
    }
