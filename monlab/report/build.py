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
from typing import Any, Sequence

import jinja2
from markupsafe import Markup

from monlab import __version__
from monlab.catalog import Catalog, Panel
from monlab.chart_panels import Threshold, chart_panels, thresholds_on
from monlab.dashboard.data import legend_names
from monlab.dashboard.empty import explain_empty
from monlab.dashboard.restarts import fetch_restarts, on_raw_counter
from monlab.dashboard.units import format_value
from monlab.errors import ConfigError, MonlabError
from monlab.lab.guidance import lab_panels
from monlab.lab.model import Lab
from monlab.lab.results import LabResult
from monlab.prometheus_api import PrometheusAPI
from monlab.report.svg_chart import ChartSeries, svg_line_chart
from monlab.resources import templates_dir
from monlab.shown_text import printable

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
    """The section's own panels, then those its `chart` steps draw (e.g. §9 charts §5's latency),
    each panel followed by the alert queries it does not draw itself (chart_panels)."""
    return chart_panels(lab_panels(lab), catalog.alerts)


def tables(lab: Lab, result: LabResult) -> list[Table]:
    """The section's `table` steps filled with the figures this run recorded."""
    return [
        Table(step.params["caption"], step.params["columns"],
              [(label, [result.figure_text(f) for f in figures])
               for label, figures in step.params["rows"].items()])
        for step in lab.steps if step.kind == "table"
    ]


@dataclass(frozen=True)
class Window:
    """The time a section's charts show: its run and a little before."""
    start: float
    end: float
    step: float


def window(run: SectionRun) -> Window:
    start = run.started - LEAD_S
    return Window(start, run.ended, max(1.0, math.ceil((run.ended - start) / POINTS)))


def chart(api: PrometheusAPI, panel: Panel, shown: Window, thresholds: tuple[Threshold, ...] = (),
          restarts: Sequence[float] = ()) -> Chart:
    start, ended, step = shown.start, shown.end, shown.step
    try:
        found = api.query_range(panel.expr, start, ended, step)
    except MonlabError as error:
        return Chart(panel, error=error.one_line())
    names = legend_names(panel.legend, [s.labels for s in found])
    series = sorted((ChartSeries(name, s.points) for name, s in zip(names, found)), key=lambda s: s.name)
    has_values = any(math.isfinite(v) for s in series for _, v in s.points)
    empty = "" if has_values else explain_empty(api, panel.expr, bool(series))
    return Chart(panel, svg_line_chart(series, label=lambda v: format_value(v, panel.unit), title=panel.title,
                                       thresholds=thresholds, empty_reason=empty, time_range=(start, ended),
                                       restarts=restarts, restart_note=restart_note(panel)))


def restart_note(panel: Panel) -> str:
    return "counters restarted from 0" if on_raw_counter(panel.expr) else "the app restarted"


def section_pages(runs: list[SectionRun], catalog: Catalog, api: PrometheusAPI) -> list[SectionPage]:
    pages = [SectionPage(run, tables=tables(run.lab, run.result)) for run in runs]
    windows = [window(page.run) for page in pages]
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        restarts = list(pool.map(lambda w: fetch_restarts(api, w.start, w.end, w.step), windows))
        jobs = [(page, pool.submit(chart, api, panel, shown, thresholds_on(panel, catalog.alerts), found))
                for page, shown, found in zip(pages, windows, restarts)
                for panel in report_panels(page.run.lab, catalog)]
        for page, job in jobs:
            page.charts.append(job.result())
    return pages


def _clock(t: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(t))


def _shown(value: Any) -> Any:
    """Every string the page shows is outside text (checks, labels, lab files): printable, and then
    HTML-escaped by autoescape. Markup (the inline SVG) was escaped where it was made."""
    return value if isinstance(value, Markup) or not isinstance(value, str) else printable(value)


def render_html(pages: list[SectionPage], full: dict[str, Any], project: str) -> str:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(templates_dir())), autoescape=True,
                             undefined=jinja2.StrictUndefined, finalize=_shown)
    env.filters["clock"] = _clock
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
