"""How long a check may wait, derived from Prometheus' own timing instead of fixed sleeps.

The intervals come from the Prometheus the lab runs against (its targets and rules APIs), so a lab
keeps pace with a stack that scrapes every second (monlab's), 15 s (dockprom) or every minute (Prometheus' default).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterable

from monlab.catalog import parse_duration
from monlab.errors import ServiceError
from monlab.project import APP_JOB

if TYPE_CHECKING:
    from monlab.prometheus_api import PrometheusAPI, Target

SLACK_S = 5.0  # a scrape that takes its timeout, a container that starts slowly, a busy machine
PROMETHEUS_DEFAULT_INTERVAL_S = 60.0  # what Prometheus uses when its config names no interval


@dataclass(frozen=True)
class Timing:
    scrape_interval: float = 5.0
    evaluation_interval: float = 5.0
    poll_interval: float = 0.25  # a check sees its answer at most this late; a query costs Prometheus ~1 ms

    @classmethod
    def of_stack(cls) -> "Timing":
        """The intervals the stack's prometheus.yml is rendered with."""
        from monlab.render.context import RenderContext

        ctx = RenderContext()
        return cls(parse_duration(ctx.scrape_interval), parse_duration(ctx.evaluation_interval))

    @classmethod
    def of_prometheus(cls, api: "PrometheusAPI", alert_names: Iterable[str], fallback: "Timing") -> "Timing":
        """The app's real scrape interval and the alert rules' evaluation interval, as `api` reports
        them; `fallback` where it cannot say (an old Prometheus, no such target or rule)."""
        try:
            targets, rule_intervals = api.targets(), api.rule_group_intervals()
        except ServiceError:
            return fallback
        scrape = scrape_interval_of(targets)
        if scrape is None:
            return fallback
        evaluation = evaluation_interval_of(rule_intervals, alert_names) or scrape  # no rules: no alert step can pass anyway
        return cls(scrape, evaluation, fallback.poll_interval)

    def describe(self) -> str:
        return f"scrapes the app every {seconds_text(self.scrape_interval)} and evaluates rules every {seconds_text(self.evaluation_interval)}"

    def query_deadline(self) -> float:
        """New data lands with the next scrape; rate() over it needs a second one."""
        return 3 * self.scrape_interval + SLACK_S

    def alert_deadline(self, for_seconds: float) -> float:
        """Data scraped, condition seen at an evaluation, held for `for:`, firing at the next one."""
        return 2 * self.scrape_interval + 2 * self.evaluation_interval + for_seconds + SLACK_S

    def fresh_scrape_deadline(self) -> float:
        return 2 * self.scrape_interval + SLACK_S


def scrape_interval_of(targets: "list[Target]", job: str = APP_JOB) -> float | None:
    """The app job's scrape interval; without that job, the slowest target's (a stack by URL may
    name its job differently); None when Prometheus reports none."""
    own = [t.scrape_interval for t in targets if t.job == job and t.scrape_interval]
    every = [t.scrape_interval for t in targets if t.scrape_interval]
    return max(own or every, default=None)


def evaluation_interval_of(rule_intervals: dict[str, float], alert_names: Iterable[str]) -> float | None:
    """The slowest evaluation interval among the catalog's alert rules (or, none loaded, all rules)."""
    ours = [rule_intervals[name] for name in alert_names if rule_intervals.get(name)]
    every = [interval for interval in rule_intervals.values() if interval]
    return max(ours or every, default=None)


def seconds_text(seconds: float) -> str:
    if seconds >= 60 and seconds % 60 == 0:
        return f"{seconds / 60:g} min"
    return f"{seconds:g} s"
