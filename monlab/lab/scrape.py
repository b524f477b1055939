"""Waiting for the app's next scrape, so a value read afterwards includes everything sent before."""

from __future__ import annotations

from monlab.errors import MonlabError
from monlab.lab.context import RunContext
from monlab.project import APP_JOB
from monlab.prometheus_api import Sample
from monlab.waiting import Outcome, poll

# timestamp() must see the selector itself: applied to `up == 1` it would return the query's time.
LAST_GOOD_SCRAPE = f'timestamp(up{{job="{APP_JOB}"}}) and on(instance) (up{{job="{APP_JOB}"}} == 1)'


def read_after_next_scrape(ctx: RunContext, exprs: tuple[str, ...] | list[str]) -> dict[str, list[Sample]] | None:
    """The samples of `exprs` once a scrape holds every request monlab's steps sent before this call:
    one that started after the last answered request when that is known (often the last scrape
    already did, and nothing waits), else after this call. None if no such scrape came in time."""
    asked_at = quiet_since(ctx)
    if asked_at is None:
        asked_at = ctx.prometheus.query_value("time()") or 0.0

    def probe() -> Outcome[float]:
        scraped_at = ctx.prometheus.query_value(LAST_GOOD_SCRAPE)
        return Outcome(scraped_at is not None and scraped_at > asked_at, scraped_at)

    if not poll(probe, ctx.timing.fresh_scrape_deadline(), ctx.timing.poll_interval, ctx.clock).done:
        return None
    return {expr: ctx.prometheus.query(expr) for expr in exprs}


def quiet_since(ctx: RunContext) -> float | None:
    """Prometheus time since which monlab sent the app nothing; None while a load runs or when unknown."""
    if any(job.thread and job.thread.is_alive() for job in ctx.background):
        return None
    return ctx.activity.at


def note_activity(ctx: RunContext) -> None:
    """A step sent the app requests (or restarted it): remember when, by Prometheus' clock."""
    try:
        ctx.activity.at = ctx.prometheus.query_value("time()")
    except MonlabError:
        ctx.activity.at = None
