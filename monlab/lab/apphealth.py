"""Whether the lab app answers HTTP, for undoing a lab's disruption before the next section."""

from __future__ import annotations

import httpx

from monlab.lab.context import RunContext
from monlab.waiting import Outcome, poll

APP_READY_TIMEOUT_S = 30.0


def app_answers(base_url: str) -> bool:
    try:
        return httpx.get(f"{base_url.rstrip('/')}/healthz", timeout=2.0).status_code == 200
    except httpx.HTTPError:
        return False


def wait_for_app(ctx: RunContext) -> bool:
    url = ctx.stack.info().url("app") or ctx.app_url
    return poll(lambda: Outcome(app_answers(url)), APP_READY_TIMEOUT_S, ctx.timing.poll_interval, ctx.clock).done
