"""Running lab sections: verify the stack, run each step, and always undo the section's disruptions."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Callable

import httpx

from monlab import interrupts
from monlab.catalog import Catalog
from monlab.errors import DockerUnavailable, MonlabError
from monlab.interrupts import Leftovers
from monlab.lab.context import Activity, RunContext
from monlab.lab.figures import figure_infos
from monlab.lab.guidance import dashboard_url, lab_panels, look_at
from monlab.lab.hints import repair_hint
from monlab.lab.kinds import KINDS
from monlab.lab.kinds.traffic import answered_check
from monlab.lab.model import Lab
from monlab.lab.inputs import available, missing_input, not_run_reason
from monlab.lab.pace import DEFAULT_MAX_WAIT_S, pace_problem
from monlab.lab.results import LabResult, environment_failed, failed, not_run
from monlab.lab.scrape import note_activity
from monlab.lab.timing import Timing
from monlab.lab.view import LabView
from monlab.prometheus_api import PrometheusAPI
from monlab.stackinfo import StackControl, StackInfo
from monlab.waiting import REAL_CLOCK, Clock

UP_HINT = "Run `monlab up` to (re)start the stack; a lab never repairs it by itself."  # when the stack is unknown
BACKGROUND_JOIN_S = 5.0
PACE_HINT = "scrape_interval and evaluation_interval of 5-15 s in prometheus.yml make labs fast; monlab's own stack uses 1 s"
BUG_HINT = "this is a bug in monlab or in the lab file; please report it with this section's `--json` output"
STACK_ERRORS = (httpx.TransportError, ConnectionError)  # the stack stopped answering mid-request
QUIET_KINDS = ("mark",)  # bookkeeping: shown only while it waits for a fresh scrape


def stack_problem(info: StackInfo, prometheus: PrometheusAPI) -> str:
    """Why the stack cannot run a lab, or "" when it can."""
    for name in ("app", "prometheus"):
        if name not in info.services:
            return f"the {name} service is missing"
    for name, service in info.services.items():
        if not service.running:
            return f"the {name} service is {service.state}"
        if service.health == "unhealthy":
            return f"the {name} service is unhealthy"
    if not prometheus.is_ready():
        return f"Prometheus at {prometheus.base_url} does not answer"
    return ""


def run_lab(
    lab: Lab,
    stack: StackControl,
    catalog: Catalog,
    view: LabView,
    clock: Clock = REAL_CLOCK,
    timing: Timing | None = None,
    student_app: Path | None = None,
    grafana: Callable[[StackInfo], tuple[Callable[[], dict[str, str]], Callable[[str], str],
                                         Callable[[str, tuple[str, ...]], None]]] | None = None,
    max_wait: float = DEFAULT_MAX_WAIT_S,
    activity: Activity | None = None,
    leftovers: Leftovers | None = None,
) -> LabResult:
    """Run one section; check failures are in the result. Raises only when Docker is unreachable."""
    result = LabResult(lab.name, figure_info=figure_infos(lab, catalog))
    view.section(lab.section)
    info = stack.info()
    with PrometheusAPI(info.url("prometheus") or "http://127.0.0.1:9", status_command=info.status_command,
                       up_command=info.up_command) as prometheus:
        problem = stack_problem(info, prometheus)
        if problem:
            check = environment_failed("the stack is up", problem, repair_hint(info))
            result.checks.append(check)
            view.check(check)
            return result
        timing = timing or Timing.of_prometheus(prometheus, [a.name for a in catalog.alerts], Timing.of_stack())
        too_slow = pace_problem(lab, timing, max_wait)
        if too_slow:
            check = environment_failed("the section keeps pace with Prometheus", too_slow, PACE_HINT)
            result.checks.append(check)
            view.check(check)
            return result
        states, link, annotate = grafana(info) if grafana and info.has_grafana else (None, None, None)
        ctx = RunContext(lab, stack, info, prometheus, catalog, view, clock, timing, student_app,
                         grafana_states=states, panel_link=link, annotate=annotate, activity=activity or Activity(),
                         leftovers=leftovers or Leftovers())
        view.look_at(look_at(lab.section, lab_panels(lab), info, ctx.ui_prefix, dashboard_url(info)))
        completed = False
        try:
            completed = _run_steps(ctx, result)
        finally:
            with interrupts.deferred():  # a Ctrl-C meanwhile waits until the stack is restored
                disturbed = bool(ctx.background or ctx.undo)
                _finish_background(ctx, result, completed)
                _undo(ctx, result)
                if disturbed:  # loads stopped, the app restarted: the next section's mark waits for a scrape after this
                    note_activity(ctx)
            view.flush()
        result.figures = dict(ctx.figures)
    return result


def _run_steps(ctx: RunContext, result: LabResult) -> bool:
    """True when every step ran; False when the environment stopped the section."""
    for step in ctx.lab.steps:
        missing = missing_input(step, available(ctx))
        if missing:
            _record(ctx, result, [not_run(step.title, not_run_reason(ctx.lab, step, missing))])
            continue
        if step.say:
            ctx.view.narrate(step.say)
        if step.kind not in ("say", "table"):
            ctx.view.step(step.title, quiet=step.kind in QUIET_KINDS)
        kind = KINDS[step.kind]
        before = ctx.activity.at
        if kind.touches_app:
            ctx.activity.at, ctx.activity.kept = None, False  # unknown until it has finished
        try:
            checks = kind.run(ctx, step.params)
            if kind.touches_app:
                _after_touching(ctx, before)
        except DockerUnavailable:
            raise
        except (MonlabError, *STACK_ERRORS) as error:  # e.g. Prometheus stopped answering: this section cannot go on
            _record(ctx, result, [stack_failed(step.title, error, repair_hint(ctx.info))])
            return False
        except Exception as error:  # a bug in a step kind is that step's failed check, never a crashed lab
            checks = [failed(step.title, f"the step broke: {describe_error(error)}", BUG_HINT)]
        if len(checks) == 1 and step.titled:
            checks = [replace(checks[0], name=step.title)]
        _record(ctx, result, checks)
    return True


def _after_touching(ctx: RunContext, before: float | None) -> None:
    """A step that left the app as it was (a redeploy of what already ran) keeps the earlier
    activity time, so the next mark need not wait for another scrape."""
    if ctx.activity.kept:
        ctx.activity.at = before
    else:
        note_activity(ctx)


def describe_error(error: BaseException) -> str:
    text = str(error) or "(no message)"
    return f"{type(error).__name__}: {text}"


def stack_failed(name: str, error: Exception, repair: str = UP_HINT):
    """An environment result: the stack (not the lab) stopped this step; `repair` says how to mend it."""
    if isinstance(error, MonlabError):
        return environment_failed(name, error.message, error.hint or repair)
    return environment_failed(name, f"the stack stopped answering ({describe_error(error)})", repair)


def section_stopped(name: str, error: Exception):
    """What stopped a whole section outside its steps: the stack (exit 3) or a bug (exit 1)."""
    title = f"the {name} section"
    if isinstance(error, (MonlabError, *STACK_ERRORS)):
        return stack_failed(title, error)
    return failed(title, f"stopped: {describe_error(error)}", BUG_HINT)


def _record(ctx: RunContext, result: LabResult, checks: list) -> None:
    for check in checks:
        result.checks.append(check)
        ctx.view.check(check)


def _finish_background(ctx: RunContext, result: LabResult, completed: bool) -> None:
    """Stop background loads. One the section's normal end stops is done; one that an early end
    (a failure, an interrupt) cut short is a failed check carrying the count it reached."""
    for job in ctx.background:
        cut_short = bool(job.thread and job.thread.is_alive())  # e.g. §6's 45 s load, no longer needed once the alert fired
        job.stop.set()
        if job.thread:
            job.thread.join(BACKGROUND_JOIN_S)
        if job.result:
            ctx.view.action(f"background load {'stopped with the section' if cut_short else 'ended'}: {job.title}")
            _record(ctx, result, [answered_check(job.title, job.result[0], None, ctx.info.status_command,
                                                 None if completed else job.planned)])
    ctx.background.clear()


def _undo(ctx: RunContext, result: LabResult) -> None:
    """Undo what the section disrupted, last disruption first."""
    for key, undo in reversed(list(ctx.undo.items())):
        ctx.view.action(f"undo: {key}")
        try:
            undo()
            ctx.restored(key)
        except DockerUnavailable:
            raise
        except (MonlabError, *STACK_ERRORS) as error:
            _record(ctx, result, [stack_failed(f"undo {key}", error, repair_hint(ctx.info))])
        except Exception as error:
            _record(ctx, result, [failed(f"undo {key}", f"the undo broke: {describe_error(error)}", repair_hint(ctx.info))])
    ctx.undo.clear()


def run_labs(labs: list[Lab], stack: StackControl, catalog: Catalog, view: LabView, **options) -> list[LabResult]:
    return [run_lab(lab, stack, catalog, view, **options) for lab in labs]
