"""`grafana_alert`: a catalog alert's Grafana-managed rule reaches a state; skipped without Grafana."""

from __future__ import annotations

from monlab.lab.checks import retry_check
from monlab.lab.kind import Kind
from monlab.lab.kinds.alert import deadline, parse_alert
from monlab.lab.results import skipped
from monlab.waiting import Outcome

GRAFANA_RULE_INTERVAL_S = 10.0


def _run(ctx, params: dict) -> list:
    alert, wanted = params["alert"], params["state"]
    name = f"{alert.name} is {wanted} in Grafana"
    if ctx.grafana_states is None:
        return [skipped(name, "Grafana is not running in this stack (an offline stack runs without it)")]

    def probe() -> Outcome:
        state = ctx.grafana_states().get(alert.name, "missing")
        return Outcome(state.lower() == wanted, state, f"Grafana rule {alert.name} is {state}")

    hint = lambda r: (f"the rule is not provisioned: check `{ctx.info.status_command}`" if r.value == "missing"
                      else f"Grafana evaluates rules every {GRAFANA_RULE_INTERVAL_S:g} s; `for:` is {alert.for_}")
    return [retry_check(ctx, name, probe, deadline(ctx, params) + GRAFANA_RULE_INTERVAL_S, hint,
                        ctx.link(alert.panel, alert.expr))]


KIND = Kind(
    name="grafana_alert", summary="Like `alert`, for Grafana's rule; reported as skipped when the stack has no Grafana.",
    required={"name": str, "state": str}, optional={"within": (int, float)}, parse=parse_alert, run=_run,
    describe=lambda p: f"{p['alert'].name} is {p['state']} in Grafana",
)
