"""Why a query shows nothing or the wrong thing: the hints a failed check carries."""

from __future__ import annotations

import re

from monlab.errors import ServiceError
from monlab.prometheus_api import PrometheusAPI
from monlab.stackinfo import StackInfo

_RANGE_FUNCTIONS = re.compile(r"\b(rate|irate|increase|delta|deriv)\s*\(")
_NOT_METRICS = {
    "sum", "avg", "min", "max", "count", "by", "without", "rate", "irate", "increase", "delta", "deriv",
    "histogram_quantile", "time", "timestamp", "abs", "and", "or", "unless", "on", "ignoring", "bool",
    "offset", "group_left", "group_right", "topk", "bottomk", "vector", "scalar", "le",
}


def metric_names(expr: str) -> list[str]:
    """Metric names in a PromQL expression: identifiers outside {…} and by (…) that are not functions."""
    bare = re.sub(r"\{[^}]*\}", " ", expr)
    bare = re.sub(r"\b(by|without)\s*\([^)]*\)", " ", bare)
    bare = re.sub(r"\[[^\]]*\]", " ", bare)
    names = re.findall(r"[A-Za-z_:][A-Za-z0-9_:]*(?![A-Za-z0-9_:]|\s*\()", bare)
    return list(dict.fromkeys(n for n in names if n not in _NOT_METRICS and not re.match(r"^\d", n)))


def repair_hint(info: StackInfo) -> str:
    """How to make the stack usable again: its own `monlab up …`, with the options it was made with,
    so copying it always works (offline, another project, another port offset)."""
    return info.repair_hint or f"Run `{info.up_command}` to (re)start the stack; a lab never repairs it by itself."


def down_targets(api: PrometheusAPI) -> str:
    down = [t for t in api.targets() if t.health != "up"]
    return "; ".join(f"target down: job {t.job} ({t.last_error or t.health})" for t in down)


def why_no_data(api: PrometheusAPI, expr: str, info: StackInfo) -> str:
    try:
        down = down_targets(api)
        if down:
            return f"{down} — run `{info.status_command}`, and `{info.up_command}` if a service stopped"
        for name in metric_names(expr):
            if not api.query(f"count({{__name__={name!r}}})".replace("'", '"')):
                return f"metric missing: {name} has not been scraped yet (its endpoint sends it on first use)"
    except ServiceError as error:
        return error.one_line()
    if _RANGE_FUNCTIONS.search(expr):
        return "window shorter than two scrapes: a range function needs two samples inside its window"
    return "the query returned no series"


def why_wrong_value(api: PrometheusAPI) -> str:
    try:
        return down_targets(api)
    except ServiceError as error:
        return error.one_line()
