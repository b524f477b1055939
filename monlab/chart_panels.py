"""Which charts a section draws and which alert thresholds belong on each, derived from the catalog.

An alert's threshold is in the units of the alert's own query, so it is drawn only on a chart of
that query. Where the lecture's panel shows something else (§7: FailedLoginBurst counts failed logins
per minute with `increase`, the panel is a per-second `rate`), the alert's query gets a chart of its
own next to the panel, with the threshold on it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, Sequence

from monlab.catalog import Alert, Panel, Section


@dataclass(frozen=True)
class Threshold:
    name: str  # the alert's
    op: str  # ">" or "<": the alert fires on this side of the line
    value: float


def same_query(a: str, b: str) -> bool:
    """The same PromQL up to spacing."""
    return "".join(a.split()) == "".join(b.split())


def thresholds_on(panel: Panel, alerts: Iterable[Alert]) -> tuple[Threshold, ...]:
    """The thresholds of the alerts that watch exactly what `panel` draws."""
    return tuple(Threshold(a.name, a.op, a.threshold) for a in alerts if same_query(a.query, panel.expr))


def alert_panel(alert: Alert) -> Panel:
    """A chart of what `alert` watches, for an alert whose query no panel draws. Counts and
    ratios carry no unit the catalog could know, so its values are plain numbers."""
    slug = re.sub(r"[^a-z0-9]+", "-", alert.name.lower()).strip("-")
    return Panel(id=f"alert-{slug}", title=f"{alert.name} alert query", expr=alert.query,
                 description=alert.summary)


def chart_panels(panels: Sequence[Panel], alerts: Sequence[Alert]) -> list[Panel]:
    """`panels`, each followed by a chart of every alert naming it whose query it does not draw."""
    charted: list[Panel] = []
    for panel in panels:
        charted.append(panel)
        charted.extend(alert_panel(a) for a in alerts
                       if a.panel == panel.id and not same_query(a.query, panel.expr))
    return charted


def section_charts(section: Section) -> list[Panel]:
    return chart_panels(section.panels, section.alerts)
