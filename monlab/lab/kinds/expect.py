"""`expect`: a number compared with `op` and `value`: a panel's, alert's or raw query's value, or a figure.

With `delta_from: MARK` the number is how much the query grew since that mark (read after a fresh
scrape): exact arithmetic on raw counters, where increase() would extrapolate.
"""

from __future__ import annotations

from monlab.lab.checks import OPS, compare, retry_check
from monlab.lab.hints import why_no_data, why_wrong_value
from monlab.lab.kind import Kind, StepSource
from monlab.lab.sources import SOURCE_FIELDS, fmt, parse_source, read_value, value_at_mark
from monlab.waiting import Outcome


def _parse(src: StepSource) -> dict:
    if src.get("op") not in OPS:
        raise src.error("op", f"must be one of {', '.join(OPS)}, got {src.get('op')!r}")
    source = parse_source(src)
    mark = src.get("delta_from")
    if mark is not None:
        if source.figure:
            raise src.error("delta_from", "applies to queries, not figures")
        src.earlier("delta_from", mark, src.refs.marks, "mark")
    return {"source": source, "op": src.get("op"), "value": float(src.get("value")), "mark": mark,
            "within": src.positive("within")}


def _describe(p: dict) -> str:
    grew = f" grew since {p['mark']} by" if p["mark"] else ""
    return f"{p['source'].shown()}{grew} {p['op']} {fmt(p['value'])}"


def _run(ctx, params: dict) -> list:
    source, op, target, mark = params["source"], params["op"], params["value"], params["mark"]

    def probe() -> Outcome:
        value = read_value(ctx, source)
        if mark is not None and value is not None:
            value -= value_at_mark(ctx, source, mark)
        what = f"grew by {fmt(value)} since {mark}" if mark else f"is {fmt(value)}"
        return Outcome(compare(value, op, target), value, f"{source.shown()} {what} (expected {op} {fmt(target)})")

    def hint(result) -> str:
        if source.figure:
            return ""
        if result.value is None:
            return why_no_data(ctx.prometheus, source.expr, ctx.info)
        return why_wrong_value(ctx.prometheus)

    timeout = 0.0 if source.figure else params["within"] or ctx.timing.query_deadline()
    return [retry_check(ctx, _describe(params), probe, timeout, hint, ctx.link(source.panel_id, source.expr))]


KIND = Kind(
    name="expect", summary="Check a panel/alert/query value or a figure with op (> >= < <= == !=) and value; `delta_from` a mark.",
    required={"op": str, "value": (int, float)},
    optional={**SOURCE_FIELDS, "delta_from": str, "within": (int, float)},
    parse=_parse, run=_run, describe=_describe,
    snapshots=lambda p: [(p["mark"], p["source"].expr)] if p["mark"] else [],
    pace=lambda p, timing: 0.0 if p["source"].figure else timing.scrape_interval,  # the next scrape, a rate() over it
)
