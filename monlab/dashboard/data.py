"""What one refresh of the dashboard reads: every catalog panel's range query, run concurrently, and
each section's alert states from Prometheus (and Grafana when it runs).

Nothing here draws; a failed query or a silent service becomes text in the snapshot, never an
exception, so every view can show it on screen.
"""

from __future__ import annotations

import math
import re
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from typing import Callable, Sequence

from monlab.catalog import Panel, Section, parse_duration
from monlab.dashboard.empty import explain_empty
from monlab.dashboard.restarts import fetch_restarts
from monlab.chart_panels import Threshold, section_charts, thresholds_on
from monlab.errors import MonlabError
from monlab.prometheus_api import PrometheusAPI, RangeSeries
from monlab.shown_text import printable

RANGES = ("5m", "15m", "1h")
POINTS = 120  # per series: more than a terminal row is wide, few enough for a fast query
WORKERS = 8
_LEGEND_FIELD = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")


@dataclass(frozen=True)
class Line:
    name: str
    points: list[tuple[float, float]]

    @property
    def values(self) -> list[float]:
        return [v for _, v in self.points]

    @property
    def last(self) -> float | None:
        """The latest finite value."""
        return next((v for _, v in reversed(self.points) if math.isfinite(v)), None)


@dataclass(frozen=True)
class PanelData:
    panel: Panel
    lines: list[Line] = field(default_factory=list)
    error: str = ""
    thresholds: tuple[Threshold, ...] = ()  # of the alerts watching exactly this query
    empty_reason: str = ""  # set when no line has a finite value: why, in one line
    restarts: tuple[float, ...] = ()  # times the app restarted within the range

    @property
    def time_span(self) -> tuple[float, float] | None:
        """The first and last time of the lines' (shared) time grid."""
        times = [t for line in self.lines for t, _ in line.points]
        return (min(times), max(times)) if times else None

    @property
    def has_values(self) -> bool:
        return any(line.last is not None for line in self.lines)

    @property
    def last(self) -> float | None:
        """The panel's current value: the sum of the series' last values (a stat panel's number)."""
        ends = [line.last for line in self.lines if line.last is not None]
        return sum(ends) if ends else None


@dataclass(frozen=True)
class AlertData:
    name: str
    severity: str
    prometheus: str  # "firing", "pending", "inactive" or "unknown"
    grafana: str | None  # None: no Grafana in this stack


@dataclass(frozen=True)
class SectionData:
    section: Section
    panels: list[PanelData]
    alerts: list[AlertData]


@dataclass(frozen=True)
class Snapshot:
    sections: list[SectionData]
    range_text: str
    taken_at: float
    seconds: float  # how long the refresh took
    problem: str = ""  # set when Prometheus could not be asked at all
    data_since: float | None = None  # set when the charts start later than the range: Prometheus has nothing older

    @property
    def panels(self) -> list[PanelData]:
        return [p for s in self.sections for p in s.panels]


SCRAPE_LABELS = ("instance", "job")  # where a series was scraped: the same for every series of the app


def legend_name(template: str, labels: dict[str, str], shown_keys: Sequence[str] | None = None) -> str:
    """A series' name: the panel's legend template filled from its labels, else the labels in
    `shown_keys` (all but __name__ when not given) as k=v; any control character in them shown as a
    visible stand-in (labels are outside text)."""
    if template:
        return printable(_LEGEND_FIELD.sub(lambda m: labels.get(m.group(1), ""), template))
    keys = sorted(k for k in labels if k != "__name__") if shown_keys is None else shown_keys
    shown = [f"{k}={labels[k]}" for k in keys if k in labels]
    return printable(", ".join(shown) if shown else labels.get("__name__", "value"))


def telling_keys(label_sets: Sequence[dict[str, str]]) -> list[str]:
    """The label names that tell a panel's series apart; for a single series, its labels other than
    where it was scraped (a lone series of the app needs no `instance`)."""
    keys = sorted({k for labels in label_sets for k in labels if k != "__name__"})
    if len(label_sets) > 1:
        return [k for k in keys if len({labels.get(k) for labels in label_sets}) > 1]
    return [k for k in keys if k not in SCRAPE_LABELS]


def legend_names(template: str, label_sets: Sequence[dict[str, str]]) -> list[str]:
    """Short names for a panel's series, in order (legend_name with telling_keys)."""
    keys = None if template else telling_keys(label_sets)
    return [legend_name(template, labels, keys) for labels in label_sets]


def step_for(range_seconds: float, points: int = POINTS) -> float:
    """The query step giving about `points` points over the range, never under a second."""
    return max(1.0, round(range_seconds / points))


def on_grid(points: list[tuple[float, float]], end: float, step: float, count: int) -> list[tuple[float, float]]:
    """`points` on the `count` times ending at `end`, `step` apart, NaN where Prometheus had none, so a
    chart places a series in time (a Prometheus started 30 s ago fills the right end of 5m only)."""
    first = end - (count - 1) * step
    values = [math.nan] * count
    for t, v in points:
        index = round((t - first) / step)
        if 0 <= index < count:
            values[index] = v
    return [(first + i * step, v) for i, v in enumerate(values)]


def fetch_panel(api: PrometheusAPI, panel: Panel, start: float, end: float, step: float,
                thresholds: tuple[Threshold, ...] = ()) -> PanelData:
    try:
        found: list[RangeSeries] = api.query_range(panel.expr, start, end, step)
    except MonlabError as error:
        return PanelData(panel, error=printable(error.one_line()), thresholds=thresholds)
    count = math.ceil(round((end - start) / step, 6)) + 1
    names = legend_names(panel.legend, [s.labels for s in found])
    lines = sorted((Line(name, on_grid(s.points, end, step, count)) for name, s in zip(names, found)),
                   key=lambda line: line.name)
    data = PanelData(panel, lines, thresholds=thresholds)
    return data if data.has_values else replace(data, empty_reason=explain_empty(api, panel.expr, bool(lines)))


def first_data(panels: list[PanelData]) -> float | None:
    """The earliest time any panel has a finite value at."""
    times = [t for p in panels for line in p.lines for t, v in line.points if math.isfinite(v)]
    return min(times, default=None)


def cropped(panels: list[PanelData], since: float) -> list[PanelData]:
    """Every panel's lines from `since` on, so charts of a young stack are not mostly empty and all
    share one time axis."""
    return [replace(p, lines=[Line(line.name, [(t, v) for t, v in line.points if t >= since]) for line in p.lines])
            for p in panels]


def prometheus_alert_states(api: PrometheusAPI) -> tuple[dict[str, str], str]:
    """{alert name: firing|pending} for active alerts (others are inactive), and a problem or ''."""
    try:
        active = api.alerts()
    except MonlabError as error:
        return {}, printable(error.one_line())
    states: dict[str, str] = {}
    for alert in active:
        if states.get(alert.name) != "firing":
            states[alert.name] = alert.state
    return states, ""


def fetch_snapshot(
    api: PrometheusAPI,
    sections: list[Section],
    range_text: str = "15m",
    grafana_states: Callable[[], dict[str, str]] | None = None,
    now: Callable[[], float] = time.time,
) -> Snapshot:
    """One range query per panel and one alerts query, all at once on a thread pool."""
    started = time.perf_counter()
    end = now()
    range_seconds = parse_duration(range_text)
    start, step = end - range_seconds, step_for(range_seconds)
    charts = {s.name: section_charts(s) for s in sections}
    alerts = [a for s in sections for a in s.alerts]
    panels = [p for s in sections for p in charts[s.name]]
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        panel_jobs = [pool.submit(fetch_panel, api, p, start, end, step, thresholds_on(p, alerts)) for p in panels]
        alert_job = pool.submit(prometheus_alert_states, api)
        restarts_job = pool.submit(fetch_restarts, api, start, end, step)
        grafana_job = pool.submit(_grafana_states, grafana_states) if grafana_states else None
        fetched = [job.result() for job in panel_jobs]
        prom_states, problem = alert_job.result()
        grafana = grafana_job.result() if grafana_job else None
    earliest = first_data(fetched)
    since = earliest - step if earliest is not None and earliest - step > start + step else None
    restarts = tuple(restarts_job.result())
    by_id = {p.panel.id: replace(p, restarts=restarts) for p in (cropped(fetched, since) if since else fetched)}
    section_data = [
        SectionData(
            s,
            [by_id[p.id] for p in charts[s.name]],
            [AlertData(a.name, a.severity, "unknown" if problem else prom_states.get(a.name, "inactive"),
                       None if grafana is None else grafana.get(a.name, "unknown"))
             for a in s.alerts],
        )
        for s in sections
    ]
    return Snapshot(section_data, range_text, end, time.perf_counter() - started, problem, since)


def _grafana_states(read: Callable[[], dict[str, str]]) -> dict[str, str]:
    try:
        return read()
    except MonlabError:
        return {}
