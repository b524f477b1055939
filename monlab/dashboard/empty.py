"""Why a panel is empty, in one line: the reader's first question in front of a blank chart.

The lecture's app is scraped as job `flask-app`; its `up` answers whether the target is scraped and
up, and how many scrapes fell inside the panel's rate window (rate() needs two).
"""

from __future__ import annotations

import re

from monlab.catalog import parse_duration
from monlab.errors import MonlabError
from monlab.prometheus_api import PrometheusAPI

APP_UP = 'max(up{job="flask-app"})'
_WINDOW = re.compile(r"\[(\d+(?:ms|s|m|h))(?::[^\]]*)?\]")

# short enough for one line of a panel at 80 columns
NOT_SCRAPED = "no data: app not scraped"  # no flask-app target
TARGET_DOWN = "no data: target down"
SHORT_WINDOW = "no data: window shorter than two scrapes"
IDLE = "no data: no traffic in the window"  # series, but 0/0
NO_TRAFFIC = "no data: no traffic yet"


def shortest_window(expr: str) -> str | None:
    """The shortest range window (`[1m]`) in a PromQL expression, or None when it has none."""
    windows = _WINDOW.findall(expr)
    return min(windows, key=parse_duration) if windows else None


def why_empty(app_up: float | None, scrapes_in_window: float | None, has_series: bool) -> str:
    """The one-line reason for a panel without a finite value.

    app_up: the app target's `up` now (None: no such target); scrapes_in_window: how many scrapes
    of it fall inside the panel's shortest window (None: the query has no window); has_series:
    Prometheus returned series, but no finite value (a ratio of 0 to 0)."""
    if app_up is None:
        return NOT_SCRAPED
    if app_up < 1:
        return TARGET_DOWN
    if scrapes_in_window is not None and scrapes_in_window < 2:
        return SHORT_WINDOW
    return IDLE if has_series else NO_TRAFFIC


def explain_empty(api: PrometheusAPI, expr: str, has_series: bool) -> str:
    """why_empty with what Prometheus says now; the plain "no data" when it cannot be asked."""
    window = shortest_window(expr)
    try:
        app_up = api.query_value(APP_UP)
        scrapes = (api.query_value(f'max(count_over_time(up{{job="flask-app"}}[{window}]))') or 0) if window else None
    except MonlabError:
        return "no data"
    return why_empty(app_up, scrapes, has_series)
