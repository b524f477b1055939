"""StackControl on the Docker engine: what labs (and tests) may do to a running stack."""

from __future__ import annotations

from pathlib import Path

from monlab.docker_runtime import DockerRuntime, connect
from monlab.image_refs import ImageRefs, recorded
from monlab.interrupts import Leftovers
from monlab.project import DEFAULT_PROJECT, SERVICES
from monlab.stack import observed
from monlab.stack.readiness import unhealthy
from monlab.stack.spec import LABEL_APP_BASE
from monlab.stack.up import UpRequest, bring_up
from monlab.stackinfo import StackInfo
from monlab.waiting import REAL_CLOCK, Clock, Outcome, poll


def open_stack(project_name: str = DEFAULT_PROJECT, runtime: DockerRuntime | None = None, clock: Clock = REAL_CLOCK,
               leftovers: Leftovers | None = None) -> "DockerStack":
    """The project's stack; raises StackMissing when it has no containers."""
    runtime = runtime or connect()
    observed.require_containers(runtime, project_name)
    return DockerStack(runtime, project_name, clock, leftovers or Leftovers())


class DockerStack:
    def __init__(self, runtime: DockerRuntime, project_name: str, clock: Clock = REAL_CLOCK,
                 leftovers: Leftovers | None = None) -> None:
        self.runtime = runtime
        self.project_name = project_name
        self.clock = clock
        self.leftovers = leftovers or Leftovers()  # a redeploy cut short says so here

    def info(self) -> StackInfo:
        return observed.stack_info(self.runtime, self.project_name)

    def _container_id(self, service: str) -> str:
        if service not in SERVICES:
            raise ValueError(f"unknown service {service!r}")
        records = observed.require_containers(self.runtime, self.project_name)
        record = observed.containers_by_service(records).get(service)
        if record is None:
            raise observed.StackMissing(
                f"Project {self.project_name!r} has no {service} container",
                f"Run `{observed.repeat_up(records, self.project_name)}`.",
            )
        return record.id

    def stop_service(self, service: str) -> None:
        self.runtime.stop(self._container_id(service))

    def start_service(self, service: str, timeout: float = 30) -> None:
        cid = self._container_id(service)
        self.runtime.start(cid)

        def running() -> Outcome[str]:
            state = self.runtime.container(cid).state
            return Outcome(state == "running", state)

        result = poll(running, timeout, 0.2, self.clock)
        if not result.done:
            raise unhealthy(f"The {service} container did not start (state {result.value})", self.runtime, service, cid)

    def redeploy_app(self, source_dir: Path | None = None) -> bool:
        records = observed.require_containers(self.runtime, self.project_name)
        project, offline = observed.project_settings(records, self.project_name)
        request = UpRequest(project, offline=offline, app_dir=source_dir, only=frozenset({"app"}),
                            images=_same_images(records))
        result = bring_up(self.runtime, request, clock=self.clock, leftovers=self.leftovers)
        return any(action.changes for action in result.actions)


def _same_images(records) -> ImageRefs:
    """The image references the stack was made with (its recorded overrides), with the app base the
    running app was built on."""
    refs = recorded(observed.image_overrides(records))
    app = observed.containers_by_service(records).get("app")
    base = app.labels.get(LABEL_APP_BASE) if app else None
    if not base:
        return refs
    return ImageRefs({**refs.online, "app-base": base}, {**refs.offline, "app-base": base}, refs.overridden)
