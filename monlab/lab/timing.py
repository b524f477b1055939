"""How long a check may wait, derived from Prometheus' own timing instead of fixed sleeps."""

from __future__ import annotations

from dataclasses import dataclass

from monlab.catalog import parse_duration

SLACK_S = 3.0  # a scrape that takes its timeout, a container that starts slowly


@dataclass(frozen=True)
class Timing:
    scrape_interval: float = 5.0
    evaluation_interval: float = 5.0
    poll_interval: float = 0.5

    @classmethod
    def of_stack(cls) -> "Timing":
        """The intervals the stack's prometheus.yml is rendered with."""
        from monlab.render.context import RenderContext

        ctx = RenderContext()
        return cls(parse_duration(ctx.scrape_interval), parse_duration(ctx.evaluation_interval))

    def query_deadline(self) -> float:
        """New data lands with the next scrape; rate() over it needs a second one."""
        return 3 * self.scrape_interval + SLACK_S

    def alert_deadline(self, for_seconds: float) -> float:
        """Data scraped, condition seen at an evaluation, held for `for:`, firing at the next one."""
        return 2 * self.scrape_interval + 2 * self.evaluation_interval + for_seconds + SLACK_S

    def fresh_scrape_deadline(self) -> float:
        return 2 * self.scrape_interval + SLACK_S
