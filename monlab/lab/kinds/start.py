"""`start`: start a stopped service's container again (returns once it runs, not once it answers)."""

from __future__ import annotations

from monlab.lab.kind import Kind
from monlab.lab.kinds.stop import parse_service, started_again, undo_key


def _run(ctx, service: str) -> list:
    ctx.stack.start_service(service)
    ctx.restored(undo_key(service))
    started_again(ctx, service)
    return []


KIND = Kind(
    name="start", summary="Start a stopped service again.", required={"service": str}, optional={},
    parse=parse_service, run=_run, describe=lambda service: f"start the {service} container", shorthand="service",
    controls_containers=True, touches_app=True,
)
