"""`record`: a figure for the report: time since a mark, a query's value, a client-side latency
percentile of an earlier traffic/load step, the server-side mean latency since a mark (from the
histogram's raw _sum and _count), or the ratio of two figures."""

from __future__ import annotations

from monlab.lab.figures import figure_info
from monlab.lab.hints import why_no_data
from monlab.lab.kind import LOAD_ID, Kind, StepSource
from monlab.lab.results import failed
from monlab.lab.scrape import read_after_next_scrape
from monlab.lab.sources import QUERY_FIELDS, parse_source, read_value, select
from monlab.waiting import Outcome, poll

HOW = ("elapsed_since", "latency", "ratio", "mean_since", "panel", "alert", "query")


def _parse(src: StepSource) -> dict:
    how = src.one_of(HOW)
    params = {"figure": src.get("figure"), "how": how}
    if how in ("elapsed_since", "mean_since"):
        params["mark"] = src.earlier(how, src.get(how), src.refs.marks, "mark")
    if how == "mean_since":
        params["metric"] = src.get("metric") or _missing(src, "metric", "the histogram's name, e.g. http_request_duration_seconds")
    elif how == "latency":
        params["load"] = src.earlier(how, src.get(how), src.refs.loads, LOAD_ID)
        params["percentile"] = src.positive("percentile", default=50, maximum=100)
    elif how == "ratio":
        pair = src.get(how)
        if len(pair) != 2:
            raise src.error(how, "must name two figures: [numerator, denominator]")
        params["pair"] = [src.earlier(how, f, src.refs.figures, "figure") for f in pair]
    elif how in ("panel", "alert", "query"):
        params["source"] = parse_source(src, ("panel", "alert", "query"))
    src.refs.figures.add(params["figure"])
    return params


def _missing(src: StepSource, key: str, what: str):
    raise src.error(key, f"missing: {what}")


def _snapshots(p: dict) -> list[tuple[str, str]]:
    return [(p["mark"], e) for e in _histogram_exprs(p["metric"])] if p["how"] == "mean_since" else []


def _histogram_exprs(metric: str) -> tuple[str, str]:
    return f"sum({metric}_sum)", f"sum({metric}_count)"


def _run(ctx, params: dict) -> list:
    figure, how = params["figure"], params["how"]
    if how in ("panel", "alert", "query"):
        return _record_query(ctx, params)
    if how == "latency" and ctx.loads[params["load"]].unanswered:
        return _unanswered_latency(ctx, params)
    value = {"elapsed_since": _elapsed, "latency": _latency, "ratio": _ratio, "mean_since": _mean}[how](ctx, params)
    if value is None:
        return [failed(f"figure {figure}", f"could not be measured ({how})")]
    ctx.figures[figure] = value
    ctx.view.figure(figure, value, unit=figure_info(params, ctx.catalog))
    return []


def _unanswered_latency(ctx, p: dict) -> list:
    """A client percentile of a load that lost requests covers only the answered ones: said, and
    refused when most got no answer (the answered few would make a dead app look fast)."""
    load, figure = ctx.loads[p["load"]], p["figure"]
    if load.mostly_unanswered:
        return [failed(f"figure {figure}", f"not measured: {load.covers()}, so a percentile of the answered few would flatter the app",
                       f"the app was not answering during the load: run `{ctx.info.status_command}`")]
    ctx.figures[figure] = _latency(ctx, p)
    ctx.view.figure(figure, ctx.figures[figure])
    ctx.view.note(f"{figure} covers only the answered requests ({load.covers()})")
    return []


def _elapsed(ctx, p: dict) -> float:
    return ctx.clock.now() - ctx.marks[p["mark"]].at


def _latency(ctx, p: dict) -> float | None:
    return ctx.loads[p["load"]].percentile(p["percentile"])


def _ratio(ctx, p: dict) -> float | None:
    top, bottom = (ctx.figures.get(f) for f in p["pair"])
    return top / bottom if top is not None and bottom else None


def _mean(ctx, p: dict) -> float | None:
    sum_expr, count_expr = _histogram_exprs(p["metric"])
    now = read_after_next_scrape(ctx, (sum_expr, count_expr))
    then = ctx.marks[p["mark"]].samples
    if now is None:
        return None
    grew = [(select(now[e], {}) or 0.0) - (select(then.get(e, []), {}) or 0.0) for e in (sum_expr, count_expr)]
    return grew[0] / grew[1] if grew[1] > 0 else None


def _record_query(ctx, params: dict) -> list:
    source, figure = params["source"], params["figure"]
    link = ctx.link(source.panel_id, source.expr)
    seen = poll(lambda: _reading(ctx, source), ctx.timing.query_deadline(), ctx.timing.poll_interval, ctx.clock)
    if not seen.done:
        return [failed(f"figure {figure}", f"{source.shown()} has no data", why_no_data(ctx.prometheus, source.expr, ctx.info), link)]
    ctx.figures[figure] = seen.value
    ctx.view.figure(figure, seen.value, link, figure_info(params, ctx.catalog))
    return []


def _reading(ctx, source) -> Outcome:
    value = read_value(ctx, source)
    return Outcome(value is not None, value)


KIND = Kind(
    name="record", summary="Record a figure: elapsed_since, a panel/alert/query value, latency (percentile of a load), mean_since (histogram), ratio.",
    required={"figure": str},
    optional={**QUERY_FIELDS, "elapsed_since": str, "latency": str, "percentile": (int, float),
              "ratio": list, "mean_since": str, "metric": str},
    parse=_parse, run=_run, describe=lambda p: f"record {p['figure']}", snapshots=_snapshots,
    pace=lambda p, timing: timing.scrape_interval / 2 if p["how"] in ("panel", "alert", "query", "mean_since") else 0.0,
)
