"""`wait_data`: wait until a panel's (or query's) series exist, e.g. two scrapes for a rate()."""

from __future__ import annotations

from monlab.lab.checks import retry_check
from monlab.lab.hints import why_no_data
from monlab.lab.kind import Kind, StepSource
from monlab.lab.sources import QUERY_FIELDS, fmt, parse_source, read_value
from monlab.waiting import Outcome


def _parse(src: StepSource) -> dict:
    return {"source": parse_source(src, ("panel", "alert", "query")), "within": src.positive("within")}


def _run(ctx, params: dict) -> list:
    source = params["source"]

    def probe() -> Outcome:
        value = read_value(ctx, source)
        return Outcome(value is not None, value, f"{source.shown()} = {fmt(value)}")

    timeout = params["within"] or ctx.timing.query_deadline()
    return [retry_check(ctx, f"data for {source.shown()}", probe, timeout,
                        lambda _: why_no_data(ctx.prometheus, source.expr, ctx.info),
                        ctx.link(source.panel_id, source.expr))]


KIND = Kind(
    name="wait_data", summary="Wait (bounded) until a panel, alert query or query returns data.",
    required={}, optional={**QUERY_FIELDS, "within": (int, float)}, parse=_parse, run=_run,
    describe=lambda p: f"wait for data in {p['source'].shown()}", pace=lambda p, timing: timing.scrape_interval,
)
