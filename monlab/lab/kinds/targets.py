"""`targets`: the scrape jobs Prometheus knows are all healthy (or all down)."""

from __future__ import annotations

from monlab.lab.checks import retry_check
from monlab.lab.kind import Kind, StepSource
from monlab.waiting import Outcome

HEALTH = ("up", "down")


def _parse(src: StepSource) -> dict:
    jobs = src.get("jobs", [])
    if not all(isinstance(j, str) for j in jobs):
        raise src.error("jobs", "must be a list of job names")
    if src.get("health", "up") not in HEALTH:
        raise src.error("health", f"must be one of {', '.join(HEALTH)}")
    return {"jobs": tuple(jobs), "health": src.get("health", "up"), "within": src.positive("within")}


def _run(ctx, params: dict) -> list:
    jobs, wanted = params["jobs"], params["health"]

    def probe() -> Outcome:
        targets = [t for t in ctx.prometheus.targets() if not jobs or t.job in jobs]
        missing = [j for j in jobs if j not in {t.job for t in targets}]
        wrong = [t for t in targets if t.health != wanted]
        note = ", ".join(f"{t.job} {t.health}" for t in targets) or "no targets"
        if missing:
            note += f"; no job {', '.join(missing)}"
        return Outcome(bool(targets) and not missing and not wrong, wrong, note)

    def hint(result) -> str:
        errors = [f"{t.job}: {t.last_error}" for t in result.value or [] if t.last_error]
        return "; ".join(errors) or f"Prometheus' scrape config lacks a job: `{ctx.info.up_command}` renders it"

    timeout = params["within"] or ctx.timing.query_deadline()
    return [retry_check(ctx, _describe(params), probe, timeout, hint, ctx.page("targets"))]


def _describe(p: dict) -> str:
    return f"scrape targets {', '.join(p['jobs']) or '(all)'} are {p['health']}"


KIND = Kind(
    name="targets", summary="Wait until the named scrape jobs (default: all) are healthy (`health: up`) or down.",
    required={}, optional={"jobs": list, "health": str, "within": (int, float)}, parse=_parse, run=_run,
    describe=_describe, pace=lambda p, timing: timing.scrape_interval / 2,
)
