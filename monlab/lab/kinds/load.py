"""`load`: sustained traffic at `rate` requests/s for `duration` s; `background: true` lets later
steps (an alert check) run while it goes on; it stops at the latest when the section ends."""

from __future__ import annotations

import math
import threading

from monlab.lab.context import Background
from monlab.lab.kind import Kind, StepSource
from monlab.lab.kinds.traffic import FIELDS, define_load, plan_of, run_foreground
from monlab.load import run_load

MAX_RATE = 200.0
MAX_DURATION_S = 60.0
ENDS_SLACK_S = 5.0  # a slow last request, a loaded machine


def _parse(src: StepSource) -> dict:
    rate = src.positive("rate", maximum=MAX_RATE)
    duration = src.positive("duration", maximum=MAX_DURATION_S)
    return {"plan": plan_of(src, max(1, math.ceil(rate * duration)), rate), "duration": duration,
            "id": define_load(src), "background": src.get("background", False)}


def _describe(p: dict) -> str:
    plan = p["plan"]
    return f"{plan.method} {plan.path} at {plan.rate:g}/s for {p['duration']:g} s" + (" in the background" if p["background"] else "")


def _run(ctx, params: dict) -> list:
    plan = params["plan"]
    if not params["background"]:
        return run_foreground(ctx, plan, params["id"], _describe(params))
    job = Background(_describe(params), planned=plan.count, id=params["id"],
                     ends_by=ctx.clock.now() + params["duration"] + ENDS_SLACK_S)
    job.thread = threading.Thread(target=lambda: job.result.append(run_load(ctx.app_url, plan, stop=job.stop)), daemon=True)
    job.thread.start()
    ctx.background.append(job)
    return []


KIND = Kind(
    name="load", summary="Send `rate` requests/s for `duration` s (bounded), optionally in the background.",
    required={"path": str, "rate": (int, float), "duration": (int, float)},
    optional={**FIELDS, "background": bool}, parse=_parse, run=_run, describe=_describe,
    pace=lambda p, timing: 0.0 if p["background"] else p["duration"], touches_app=True,
)
