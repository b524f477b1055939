"""When the app restarted (a redeploy, a stop and start), read from Prometheus, so a chart can say
what changed its picture wherever it is drawn, not only inside the lab run that did it.

A restarted app starts its counters from 0 again: the app-wide request counter going down between
two scrapes is a restart. Panels drawn on raw counters (no rate/increase to absorb the reset) drop
to 0 there, which reads like lost data unless the chart says why.
"""

from __future__ import annotations

import math
import re
from typing import Sequence

from monlab.errors import MonlabError
from monlab.prometheus_api import PrometheusAPI

RESTART_SIGNAL = 'sum(http_request_duration_seconds_count{job="flask-app"})'
_COUNTER = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*_(total|count|sum|bucket)\b")
_RESET_AWARE = re.compile(r"\b(rate|irate|increase|resets)\s*\(")


def restart_times(points: Sequence[tuple[float, float]]) -> list[float]:
    """The times at which a counter's value is below its previous finite value."""
    found: list[float] = []
    previous: float | None = None
    for t, value in points:
        if not math.isfinite(value):
            continue
        if previous is not None and value < previous:
            found.append(t)
        previous = value
    return found


def on_raw_counter(expr: str) -> bool:
    """Whether a query shows counter values as they are (a reset drops the line to 0)."""
    return bool(_COUNTER.search(expr)) and not _RESET_AWARE.search(expr)


def fetch_restarts(api: PrometheusAPI, start: float, end: float, step: float) -> list[float]:
    """The app's restarts between `start` and `end`, at the resolution of `step`; none when
    Prometheus cannot say."""
    try:
        found = api.query_range(RESTART_SIGNAL, start, end, step)
    except MonlabError:
        return []
    return sorted(t for series in found for t in restart_times(series.points))
