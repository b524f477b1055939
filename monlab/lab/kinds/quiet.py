"""`quiet`: wait until the app served no requests within a window, so that the rate() windows of
the panels read next hold only what this section sends. Right after a section of fast traffic, §5's
one-minute panels showed the lecture's load at a p95 of 86 ms and §9's chart never showed the
lecture's app on its own."""

from __future__ import annotations

from dataclasses import replace

from monlab.catalog import parse_duration
from monlab.lab.checks import retry_check
from monlab.lab.kinds.chart import LEAD_SCRAPES
from monlab.lab.hints import why_no_data
from monlab.lab.kind import Kind, StepSource
from monlab.lab.sources import fmt
from monlab.lab.timing import seconds_text
from monlab.waiting import Outcome

REQUESTS = "http_requests_total"  # the lecture's request counter: every request the app counts


def _parse(src: StepSource) -> dict:
    window = str(src.get("window"))
    try:
        seconds = parse_duration(window)
    except ValueError as error:
        raise src.error("window", str(error)) from None
    if not 0 < seconds <= 300:
        raise src.error("window", f"must be longer than 0s and at most 5m, got {window!r}")
    return {"window": window, "seconds": seconds}


def requests_within(window: str) -> str:
    return f"sum(increase({REQUESTS}[{window}])) or vector(0)"


def _describe(p: dict) -> str:
    return f"no other requests in the last {p['window']}"


def _run(ctx, params: dict) -> list:
    lead = (LEAD_SCRAPES + 1) * ctx.timing.scrape_interval  # a chart shows a few scrapes before its mark, its first point a step earlier
    expr = requests_within(f"{params['seconds'] + lead:g}s")

    def probe() -> Outcome:
        value = ctx.prometheus.query_value(expr)
        return Outcome(value == 0, value, f"{expr} is {fmt(value)} (expected 0; the window and the "
                                          f"{lead:g} s a chart shows before its mark)")

    def hint(result) -> str:
        if result.value is None:
            return why_no_data(ctx.prometheus, expr, ctx.info)
        return "something else sends the app requests (another `monlab load`, a browser); stop it and run the section again"

    timeout = params["seconds"] + lead + ctx.timing.query_deadline()  # the last request leaves, a scrape shows it
    started = ctx.clock.now()
    check = retry_check(ctx, _describe(params), probe, timeout, hint, ctx.link("", expr))
    waited = ctx.clock.now() - started
    if check.passed and waited >= 1:  # a wait of up to a minute should not pass unexplained
        check = replace(check, detail=f"{check.detail}; waited {seconds_text(round(waited))} for it")
    return [check]


KIND = Kind(
    name="quiet", summary="Wait until the app served no requests within `window`, so the rate() windows read next hold only this section's traffic.",
    required={"window": str}, optional={}, parse=_parse, run=_run, describe=_describe, shorthand="window",
    pace=lambda p, timing: timing.scrape_interval,  # on an idle stack; after other traffic, up to the window
)
