"""`alert`: a catalog alert reaches a state in Prometheus (pending, firing or inactive)."""

from __future__ import annotations

from monlab.errors import ServiceError
from monlab.lab.checks import retry_check
from monlab.lab.hints import why_wrong_value
from monlab.lab.kind import Kind, StepSource
from monlab.lab.sources import fmt
from monlab.waiting import Outcome

STATES = ("pending", "firing", "inactive")


def parse_alert(src: StepSource) -> dict:
    alert = src.catalog.alert(src.get("name"))
    if alert is None:
        raise src.error("name", f"no alert {src.get('name')!r} in the catalog ({', '.join(a.name for a in src.catalog.alerts)})")
    if src.get("state") not in STATES:
        raise src.error("state", f"must be one of {', '.join(STATES)}, got {src.get('state')!r}")
    return {"alert": alert, "state": src.get("state"), "within": src.positive("within")}


def alert_hint(ctx, alert, wanted: str, seen: str | None) -> str:
    if seen == "pending" and wanted == "firing":
        return f"alert still pending: its condition must hold for {alert.for_} before it fires"
    if seen == "firing" and wanted == "pending":
        return "already firing: it went pending and fired before this check looked"
    try:
        value = ctx.prometheus.query_value(alert.query)
    except ServiceError:  # the hint is best effort; the check already failed
        value = None
    down = why_wrong_value(ctx.prometheus)
    return f"its query {alert.query} is {fmt(value)} (fires when {alert.op} {fmt(alert.threshold)})" + (f"; {down}" if down else "")


def deadline(ctx, params: dict) -> float:
    if params["within"]:
        return params["within"]
    return ctx.timing.alert_deadline(params["alert"].for_seconds if params["state"] == "firing" else 0.0)


def typical_wait(params: dict, timing) -> float:
    """The next scrape brings the data, the next evaluation sees it (half an interval each, on
    average); firing also waits out `for:`."""
    seen = timing.evaluation_interval / 2
    if params["state"] == "inactive":
        return seen
    held = params["alert"].for_seconds if params["state"] == "firing" else 0.0
    return timing.scrape_interval / 2 + seen + held


def _run(ctx, params: dict) -> list:
    alert, wanted = params["alert"], params["state"]

    def probe() -> Outcome:
        state = ctx.prometheus.alert_state(alert.name)
        return Outcome(state == wanted, state, f"Prometheus alert {alert.name} is {state}")

    return [retry_check(ctx, f"{alert.name} is {wanted} in Prometheus", probe, deadline(ctx, params),
                        lambda r: alert_hint(ctx, alert, wanted, r.value), ctx.link(alert.panel, alert.expr))]


KIND = Kind(
    name="alert", summary="Wait (bounded by the alert's `for:`) until a Prometheus alert is pending, firing or inactive.",
    required={"name": str, "state": str}, optional={"within": (int, float)}, parse=parse_alert, run=_run,
    describe=lambda p: f"{p['alert'].name} is {p['state']} in Prometheus", pace=typical_wait,
)
