"""`chart`: draw a catalog panel since a mark, so the section's change over time is seen in the lab
output (a text chart on a terminal, a few plain lines otherwise) and in `--report` pages.

Put it after a step that waited for the change (an `expect`), so the change is in Prometheus."""

from __future__ import annotations

import time
from dataclasses import dataclass

from monlab.catalog import Panel
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


def _parse(src: StepSource) -> ChartParams:
    panel = src.catalog.panel(src.get("panel"))
    if panel is None:
        known = ", ".join(p.id for p in src.catalog.panels)
        raise src.error("panel", f"no catalog panel {src.get('panel')!r} (panels: {known})")
    return ChartParams(panel, src.earlier("since", src.get("since"), src.refs.marks, "mark"))


def _run(ctx, params: ChartParams) -> list:
    """The panel, then what its alerts watch where that is another query (§7's FailedLoginBurst)."""
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
    required={"panel": str, "since": str}, optional={}, parse=_parse, run=_run,
    describe=lambda p: f"{p.panel.title} since {p.since}",
)
