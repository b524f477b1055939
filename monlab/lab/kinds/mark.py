"""`mark`: remember a moment; later steps measure time since it, or how much a counter grew since it.

When later steps need counter values at the mark, the mark waits for the app's next scrape first,
so everything sent before the mark is in them and nothing sent after.
"""

from __future__ import annotations

from monlab.lab.context import Mark
from monlab.lab.hints import why_wrong_value
from monlab.lab.kind import Kind, StepSource
from monlab.lab.results import failed
from monlab.lab.scrape import read_after_next_scrape


def _parse(src: StepSource) -> str:
    name = src.get("name")
    if name in src.refs.marks:
        raise src.error("name", f"mark {name!r} is already set by an earlier step")
    src.refs.marks.add(name)
    return name


def _run(ctx, name: str) -> list:
    exprs = ctx.lab.snapshots.get(name, ())
    mark = Mark(at=ctx.clock.now())
    if exprs:
        samples = read_after_next_scrape(ctx, exprs)
        if samples is None:
            return [failed(f"mark {name}", "no successful scrape of the app in time", why_wrong_value(ctx.prometheus))]
        mark = Mark(at=ctx.clock.now(), samples=samples)
    ctx.marks[name] = mark
    return []


KIND = Kind(
    name="mark", summary="Remember this moment (and, after a fresh scrape, the counters later steps compare with).",
    required={"name": str}, optional={}, parse=_parse, run=_run,
    describe=lambda name: f"mark {name}", shorthand="name", pace=lambda name, timing: timing.scrape_interval / 2,
)
