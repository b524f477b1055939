"""Running the checks side by side and the overall answer: can `monlab up` succeed here?"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from monlab.doctor.model import FAIL, WARN, Check, DoctorContext, Verdict
from monlab.doctor.registry import CHECKS
from monlab.errors import MonlabError
from monlab.image_refs import ImageRefs
from monlab.project import Project

ENGINE_SECONDS = 2.0


def diagnose(name: str, bind: str | None, port_offset: int | None, refs: ImageRefs,
             checks: dict[str, Check] = CHECKS) -> dict[str, Verdict]:
    """What `up` would find, for the project as `up` would make it (options left out: the stack's own)."""
    from monlab.docker_runtime import connect

    try:
        runtime, error = connect(timeout=ENGINE_SECONDS), ""
    except MonlabError as failure:
        runtime, error = None, failure.message
    ctx = DoctorContext(_project(runtime, name, bind, port_offset), refs, runtime, error)
    with ThreadPoolExecutor(max_workers=len(checks)) as pool:
        verdicts = dict(zip(checks, pool.map(lambda check: _run(check, ctx), checks.values())))
    return verdicts


def _project(runtime, name: str, bind: str | None, port_offset: int | None) -> Project:
    from monlab.stack.observed import project_for_up

    try:
        records = runtime.containers(Project(name).label_filter) if runtime else []
    except MonlabError:  # the engine's own check says why
        records = []
    return project_for_up(records, name, bind, port_offset)


def _run(check: Check, ctx: DoctorContext) -> Verdict:
    if check.needs_engine and ctx.runtime is None:
        return Verdict(WARN, "not checked: the Docker engine does not answer", "see `docker engine` above")
    try:
        return check.run(ctx)
    except MonlabError as error:  # the engine went away mid-check, say
        return Verdict(FAIL, error.message, error.hint or "")


def up_can_succeed(verdicts: dict[str, Verdict]) -> bool:
    return all(v.status != FAIL for v in verdicts.values())
