"""`http`: one request to the lab app, checking its status and (part of) its body."""

from __future__ import annotations

import httpx

from monlab.lab.kind import Kind, StepSource
from monlab.lab.kinds.traffic import plan_of
from monlab.lab.results import failed, passed

TIMEOUT_S = 30.0


def _parse(src: StepSource) -> dict:
    return {"plan": plan_of(src, 1), "status": src.get("status"), "body": src.get("body_contains")}


def _describe(p: dict) -> str:
    plan = p["plan"]
    expect = [str(p["status"])] if p["status"] else []
    expect += [f"with {p['body']!r}"] if p["body"] else []
    return f"{plan.method} {plan.path} {' '.join(f'{k}={v}' for k, v in plan.data.items())} answers {' '.join(expect) or 'at all'}".replace("  ", " ")


def _run(ctx, params: dict) -> list:
    plan, title = params["plan"], _describe(params)
    try:
        response = httpx.request(plan.method, ctx.app_url + plan.path, data=plan.data or None, timeout=TIMEOUT_S)
    except httpx.HTTPError as exc:
        return [failed(title, f"no answer ({type(exc).__name__})", f"run `{ctx.info.status_command}`")]
    body = response.text.strip()
    detail = f"{response.status_code}: {body[:120]}"
    if params["status"] and response.status_code != params["status"]:
        return [failed(title, detail, f"expected status {params['status']}")]
    if params["body"] and params["body"] not in body:
        return [failed(title, detail, f"expected the body to contain {params['body']!r}")]
    return [passed(title, detail)]


KIND = Kind(
    name="http", summary="One request; check its `status` and that the body contains `body_contains`.",
    required={"path": str}, optional={"method": str, "data": dict, "status": int, "body_contains": str},
    parse=_parse, run=_run, describe=_describe, touches_app=True,
)
