"""Waiting until the lab app answers again, when a lab undoes its disruption before the next section."""

from __future__ import annotations

from monlab.lab.context import RunContext
from monlab.stack.readiness import app_answers
from monlab.waiting import Outcome, poll

APP_READY_TIMEOUT_S = 30.0


def wait_for_app(ctx: RunContext) -> bool:
    url = ctx.stack.info().url("app") or ctx.app_url
    return poll(lambda: Outcome(app_answers(url)), APP_READY_TIMEOUT_S, ctx.timing.poll_interval, ctx.clock).done
