"""`monlab lab NAME|all --report DIR`: results.json (what `--json` prints) and index.html, one
self-contained page a teacher can open offline: per section its checks with verdicts and hints, its
figures, its before/after tables, and inline SVG charts of its panels over the section's run."""

from __future__ import annotations

import json
import math
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2

from monlab import __version__
from monlab.catalog import Catalog, Panel
from monlab.dashboard.data import legend_name
from monlab.dashboard.units import format_value
from monlab.errors import ConfigError, MonlabError
from monlab.lab.model import Lab
from monlab.lab.results import LabResult
from monlab.prometheus_api import PrometheusAPI
from monlab.report.svg_chart import ChartSeries, svg_line_chart
from monlab.resources import templates_dir

TEMPLATE = "report.html.j2"
POINTS = 240
LEAD_S = 15.0  # chart a little of how it was before the section started
WORKERS = 8


@dataclass(frozen=True)
class SectionRun:
    lab: Lab
    result: LabResult
    started: float  # unix seconds
    ended: float


@dataclass(frozen=True)
class Chart:
    panel: Panel
    svg: str = ""
    error: str = ""


@dataclass(frozen=True)
class Table:
    caption: str
    columns: list[str]
    rows: list[tuple[str, list[str]]]


@dataclass
class SectionPage:
    run: SectionRun
    charts: list[Chart] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)


def report_panels(lab: Lab, catalog: Catalog) -> list[Panel]:
    """The section's own panels, then those its `chart` steps draw (e.g. §9 charts §5's latency)."""
    panels = {p.id: p for p in lab.section.panels}
    for step in lab.steps:
        if step.kind == "chart":
            panels.setdefault(step.params.panel.id, step.params.panel)
    return list(panels.values())


def figure_text(value: float | None) -> str:
    return "–" if value is None or not math.isfinite(value) else f"{value:.4g}"


def tables(lab: Lab, result: LabResult) -> list[Table]:
    """The section's `table` steps filled with the figures this run recorded."""
    return [
        Table(step.params["caption"], step.params["columns"],
              [(label, [figure_text(result.figures.get(f)) for f in figures])
               for label, figures in step.params["rows"].items()])
        for step in lab.steps if step.kind == "table"
    ]


def chart(api: PrometheusAPI, panel: Panel, started: float, ended: float,
          thresholds: list[tuple[str, float]] | None = None) -> Chart:
    start = started - LEAD_S
    step = max(1.0, math.ceil((ended - start) / POINTS))
    try:
        found = api.query_range(panel.expr, start, ended, step)
    except MonlabError as error:
        return Chart(panel, error=error.one_line())
    series = sorted((ChartSeries(legend_name(panel.legend, s.labels), s.points) for s in found), key=lambda s: s.name)
    return Chart(panel, svg_line_chart(series, label=lambda v: format_value(v, panel.unit), title=panel.title,
                                       thresholds=thresholds or ()))


def alert_thresholds(catalog: Catalog, panel: Panel) -> list[tuple[str, float]]:
    """The thresholds of the catalog alerts drawn on `panel` (an alert names its panel)."""
    return [(alert.name, alert.threshold) for alert in catalog.alerts if alert.panel == panel.id]


def section_pages(runs: list[SectionRun], catalog: Catalog, api: PrometheusAPI) -> list[SectionPage]:
    pages = [SectionPage(run, tables=tables(run.lab, run.result)) for run in runs]
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        jobs = [(page, pool.submit(chart, api, panel, page.run.started, page.run.ended, alert_thresholds(catalog, panel)))
                for page in pages for panel in report_panels(page.run.lab, catalog)]
        for page, job in jobs:
            page.charts.append(job.result())
    return pages


def _clock(t: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(t))


def render_html(pages: list[SectionPage], full: dict[str, Any], project: str) -> str:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(templates_dir())), autoescape=True,
                             undefined=jinja2.StrictUndefined)
    env.filters["clock"] = _clock
    env.filters["figure"] = figure_text
    try:
        return env.get_template(TEMPLATE).render(pages=pages, full=full, project=project, version=__version__,
                                                 created=_clock(time.time()))
    except jinja2.TemplateError as error:
        raise ConfigError(f"Template {TEMPLATE}: {error}", "Reinstall monlab or restore templates/ from git.") from error


def write_report(directory: Path, full: dict[str, Any], html: str) -> list[Path]:
    from monlab.report.folder import record_report

    try:
        directory.mkdir(parents=True, exist_ok=True)
        written = [directory / "results.json", directory / "index.html"]
        written[0].write_text(json.dumps(full) + "\n")
        written[1].write_text(html)
        record_report(directory, written)
    except OSError as error:
        raise MonlabError(f"Cannot write the report into {directory}: {error.strerror}") from None
    return written
