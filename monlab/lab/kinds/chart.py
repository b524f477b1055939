"""`chart`: draw a catalog panel since a mark, so the section's change over time is seen in the lab
output (a text chart on a terminal, a few plain lines otherwise) and in `--report` pages.

Put it after a step that waited for the change (an `expect`), so the change is in Prometheus."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass

from monlab.catalog import Panel, parse_duration
from monlab.chart_panels import chart_panels, thresholds_on
from monlab.dashboard.restarts import fetch_restarts
from monlab.errors import MonlabError
from monlab.lab.kind import Kind, StepSource
from monlab.shown_text import printable

POINTS = 240
LEAD_SCRAPES = 3  # how it was just before the mark, for comparison


@dataclass(frozen=True)
class ChartParams:
    panel: Panel
    since: str  # a mark
    after_load: str = ""  # a background load's id: draw once it has ended (the chart ends on it)


def _parse(src: StepSource) -> ChartParams:
    panel = src.catalog.panel(src.get("panel"))
    if panel is None:
        known = ", ".join(p.id for p in src.catalog.panels)
        raise src.error("panel", f"no catalog panel {src.get('panel')!r} (panels: {known})")
    after_load = src.get("after_load", "")
    if after_load and after_load not in src.refs.loads:  # not an input: a background load is no figure until it ends
        raise src.error("after_load", f"no earlier load with id {after_load!r}")
    return ChartParams(panel, src.earlier("since", src.get("since"), src.refs.marks, "mark"), after_load)


def rate_window(expr: str) -> float:
    """The longest range selector in a query, e.g. 15 for `rate(x[15s])`."""
    return max((parse_duration(window) for window in re.findall(r"\[(\d+[smh])\]", expr)), default=0.0)


def _pace(params: ChartParams, timing) -> float:
    """Drawn after a load, it waits for the load: long enough for the panel's window to hold only it."""
    return rate_window(params.panel.expr) if params.after_load else 0.0


def _await_load(ctx, load_id: str) -> None:
    """Until the section's background load `load_id` has ended on its own (bounded by its duration)."""
    for job in ctx.background:
        if job.id == load_id and job.thread and job.thread.is_alive():
            job.thread.join(max(0.0, (job.ends_by or ctx.clock.now()) - ctx.clock.now()))
            if job.thread.is_alive():
                ctx.view.note(printable(f"drawn while {job.title} still runs"))


def _run(ctx, params: ChartParams) -> list:
    """The panel, then what its alerts watch where that is another query (§7's FailedLoginBurst)."""
    if params.after_load:
        _await_load(ctx, params.after_load)
    end = time.time()
    start = end - (ctx.clock.now() - ctx.marks[params.since].at) - LEAD_SCRAPES * ctx.timing.scrape_interval
    step = max(1.0, round((end - start) / POINTS))
    restarts = tuple(fetch_restarts(ctx.prometheus, start, end, step))  # e.g. §9's redeploy, marked on the chart
    for panel in chart_panels([params.panel], ctx.catalog.alerts):
        try:
            series = ctx.prometheus.query_range(panel.expr, start, end, step)
        except MonlabError as error:  # a picture is not a check: say why it is missing and go on
            ctx.view.note(printable(f"no chart of {panel.title}: {error.one_line()}"))
            continue
        ctx.view.chart(panel, series, thresholds_on(panel, ctx.catalog.alerts), restarts)
    return []


KIND = Kind(
    name="chart", summary="Draw a catalog panel since a mark (text chart on a terminal, plain lines otherwise).",
    required={"panel": str, "since": str}, optional={"after_load": str}, parse=_parse, run=_run,
    describe=lambda p: f"{p.panel.title} since {p.since}", pace=_pace,
)
