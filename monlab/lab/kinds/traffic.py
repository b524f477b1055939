"""`traffic`: a fixed number of requests to the lab app, `concurrency` at a time, with a progress bar."""

from __future__ import annotations

from monlab.errors import ConfigError
from monlab.lab.kind import Kind, StepSource
from monlab.lab.results import failed, passed
from monlab.load import LoadPlan, LoadResult
from monlab.load_view import summary_line

FIELDS = {"method": str, "data": dict, "concurrency": int, "id": str}


def plan_of(src: StepSource, count: int, rate: float | None = None) -> LoadPlan:
    data = {str(k): str(v) for k, v in (src.get("data") or {}).items()}
    method = src.get("method", "POST" if data else "GET")
    try:
        return LoadPlan(path=src.get("path"), count=count, concurrency=src.get("concurrency", 1),
                        method=method, data=data, rate=rate)
    except ConfigError as error:  # names the bad value
        raise src.error("", error.message) from None


def define_load(src: StepSource) -> str:
    load_id = src.get("id", "")
    if load_id:
        src.refs.loads.add(load_id)
    return load_id


def _parse(src: StepSource) -> dict:
    expect = src.get("expect_status")
    return {"plan": plan_of(src, src.get("count", 1)), "id": define_load(src), "expect_status": expect}


def answered_check(title: str, result: LoadResult, expect_status: int | None, status_command: str,
                   planned: int | None = None):
    detail = summary_line(result)
    if planned is not None and result.sent < planned:
        return failed(title, f"ended early after {result.sent} of {planned} planned requests; {detail}",
                      "the section stopped before this load finished: see the check that failed first")
    if result.mostly_unanswered:
        return failed(title, f"most requests timed out or got no answer ({result.unanswered} of {result.sent}); {detail}",
                      f"the app did not answer most requests (paused, stopped or overloaded): run `{status_command}`")
    if result.errors:
        return failed(title, detail, f"the app did not answer every request: run `{status_command}`")
    if expect_status is not None and result.count_of(expect_status) != result.sent:
        return failed(title, detail, f"expected every answer to be {expect_status}")
    return passed(title, detail)


def run_foreground(ctx, plan: LoadPlan, load_id: str, title: str, expect_status: int | None = None) -> list:
    result = ctx.view.load(ctx.app_url, plan)
    if load_id:
        ctx.loads[load_id] = result
    return [answered_check(title, result, expect_status, ctx.info.status_command)]


def _run(ctx, params: dict) -> list:
    return run_foreground(ctx, params["plan"], params["id"], params["plan"].describe(), params["expect_status"])


KIND = Kind(
    name="traffic", summary="Send `count` requests (GET, or POST with form `data`), `concurrency` at a time.",
    required={"path": str}, optional={**FIELDS, "count": int, "expect_status": int},
    parse=_parse, run=_run, describe=lambda p: p["plan"].describe(), touches_app=True,
)
