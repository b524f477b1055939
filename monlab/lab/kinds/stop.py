"""`stop`: stop a service's container; the runner starts it again if the lab does not."""

from __future__ import annotations

from monlab.lab.apphealth import wait_for_app
from monlab.lab.kind import Kind, StepSource
from monlab.project import SERVICES


def parse_service(src: StepSource) -> str:
    service = src.get("service")
    if service not in SERVICES:
        raise src.error("service", f"must be one of {', '.join(SERVICES)}, got {service!r}")
    return service


def undo_key(service: str) -> str:
    return f"start the {service} container again"


def started_again(ctx, service: str) -> None:
    """What follows starting a stopped service: the app's start is marked, its counters begin at 0."""
    if service == "app":
        ctx.mark_restart("started the app container again", "start")


def _run(ctx, service: str) -> list:
    def undo() -> None:
        ctx.stack.start_service(service)
        started_again(ctx, service)
        if service == "app":
            wait_for_app(ctx)

    ctx.disrupted(undo_key(service), undo)  # before stopping: a Ctrl-C mid-stop is undone too
    ctx.stack.stop_service(service)
    return []


KIND = Kind(
    name="stop", summary="Stop a service (app, prometheus, grafana); undone when the section ends.",
    required={"service": str}, optional={}, parse=parse_service, run=_run,
    describe=lambda service: f"stop the {service} container", shorthand="service",
    controls_containers=True, touches_app=True,
)
