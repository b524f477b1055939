"""Evaluating provisioned alert rules against their Prometheus datasource, every group interval.

Mirrors the parts of pkg/services/ngalert that monlab's rules use:
- eval/eval.go getExprRequest: a datasource query's uid must name a datasource, else the rule
  errors with "failed to build query 'A': data source not found"; the condition must be a refId
  (models.ErrConditionNotExist "Condition C does not exist, must be one of [A B]").
- the Prometheus instant query (pkg/promlib): POST url/api/v1/query; each series of the vector is
  one alert instance, labelled with the series' labels.
- server-side expressions (pkg/expr): `reduce` (last/mean/min/max/sum/count, modes dropNN and
  replaceNN) and `threshold` (gt, lt, gte, lte, eq, ne, within_range, outside_range). Other
  expression types are NOT implemented here and make the rule's health "error", saying so.
- eval.go: a condition value of 0 is Normal, any other number Alerting, no value NoData; no series
  at all is NoData; noDataState / execErrState map NoData and errors (OK, Alerting, NoData/Error,
  KeepLast).
- state/state.go: Normal -> Pending when the condition holds and `for` > 0; Pending -> Alerting
  once it held for `for`; instances whose series vanished are resolved after 2 evaluations
  (missing_series_evals_to_resolve default).
"""

from __future__ import annotations

import json
import math
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from .datasources import by_uid
from .log import log
from .store import Store

LOGGER = "ngalert.scheduler"
EXPRESSION_UID = "__expr__"
STALE_AFTER_MISSING = 2
QUERY_TIMEOUT = 10.0

Series = list[tuple[dict[str, str], "float | None"]]


class EvalError(Exception):
    pass


class StateManager:
    """Alert instances per rule uid: {labels key: instance}."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.instances: dict[str, dict[str, dict[str, Any]]] = {}
        self.last_eval: dict[str, dict[str, Any]] = {}

    def apply(self, rule: dict[str, Any], results: list[dict[str, Any]], error: str | None, now: float, took: float) -> None:
        with self.lock:
            current = self.instances.setdefault(rule["uid"], {})
            seen = set()
            for result in results:
                key = json.dumps(result["labels"], sort_keys=True)
                seen.add(key)
                previous = current.get(key, {"state": "Normal", "startsAt": now, "missing": 0})
                current[key] = _next_state(rule, previous, result, now)
            for key in list(current):
                if key not in seen:
                    current[key]["missing"] = current[key].get("missing", 0) + 1
                    if current[key]["missing"] >= STALE_AFTER_MISSING:
                        del current[key]
            self.last_eval[rule["uid"]] = {"at": now, "took": took, "error": error}

    def forget(self, uids: set[str]) -> None:
        with self.lock:
            for uid in list(self.instances):
                if uid not in uids:
                    self.instances.pop(uid, None)
                    self.last_eval.pop(uid, None)

    def snapshot(self, uid: str) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
        with self.lock:
            return [dict(i) for i in self.instances.get(uid, {}).values()], self.last_eval.get(uid)


def _next_state(rule: dict[str, Any], previous: dict[str, Any], result: dict[str, Any], now: float) -> dict[str, Any]:
    outcome, reason, error = result["state"], "", result.get("error")
    if outcome == "NoData":
        outcome, reason = {"OK": ("Normal", "NoData"), "Alerting": ("Alerting", "NoData"),
                           "NoData": ("NoData", ""), "KeepLast": (previous["state"], "NoData")}[rule["noDataState"]]
    elif outcome == "Error":
        outcome, reason = {"OK": ("Normal", "Error"), "Alerting": ("Alerting", "Error"),
                           "Error": ("Error", ""), "KeepLast": (previous["state"], "Error")}[rule["execErrState"]]
    state = dict(previous, missing=0, lastEvaluation=now, value=result.get("value"), labels=result["labels"],
                 reason=reason, error=error)
    if outcome == "Alerting" and previous["state"] != "Alerting":
        if previous["state"] == "Pending":
            if now - previous["startsAt"] >= rule["for"]:
                state.update(state="Alerting", startsAt=now)
        elif rule["for"] > 0:
            state.update(state="Pending", startsAt=now)
        else:
            state.update(state="Alerting", startsAt=now)
    elif outcome != "Alerting" and outcome != previous["state"]:
        state.update(state=outcome, startsAt=now)
    return state


def evaluate(store: Store, rule: dict[str, Any], now: float) -> list[dict[str, Any]]:
    """One evaluation: a result per instance, {"labels", "state": Normal|Alerting|NoData|Error, "value"}."""
    ref_ids = [q["refId"] for q in rule["data"]]
    if rule["condition"] not in ref_ids:
        raise EvalError(f"Condition {rule['condition']} does not exist, must be one of [{' '.join(ref_ids)}]")
    outputs: dict[str, Series] = {}
    for query in rule["data"]:
        if query["datasourceUid"] != EXPRESSION_UID:
            outputs[query["refId"]] = _datasource_query(store, query, now)
    for query in rule["data"]:
        if query["datasourceUid"] == EXPRESSION_UID:
            outputs[query["refId"]] = _expression(query, outputs)
    condition = outputs[rule["condition"]]
    if not condition:
        return [{"labels": {}, "state": "NoData", "value": None}]
    results = []
    for labels, value in condition:
        state = "NoData" if value is None else ("Normal" if value == 0 else "Alerting")
        results.append({"labels": labels, "state": state, "value": value})
    return results


def _datasource_query(store: Store, query: dict[str, Any], now: float) -> Series:
    ds = by_uid(store, query["datasourceUid"])
    if ds is None:
        raise EvalError(f"failed to build query '{query['refId']}': data source not found")
    if ds["type"] != "prometheus":
        raise EvalError(f"the stand-in evaluates only prometheus datasources, not {ds['type']!r} (query {query['refId']})")
    expr = query["model"].get("expr", "")
    body = urllib.parse.urlencode({"query": expr, "time": f"{now:.3f}"}).encode()
    url = ds["url"].rstrip("/") + "/api/v1/query"
    try:
        request = urllib.request.Request(url, data=body, method="POST",
                                         headers={"Content-Type": "application/x-www-form-urlencoded"})
        with urllib.request.urlopen(request, timeout=QUERY_TIMEOUT) as response:
            payload = json.loads(response.read())
    except urllib.error.HTTPError as exc:
        detail = _error_body(exc)
        raise EvalError(f"[sse.dataQueryError] failed to execute query [{query['refId']}]: {detail}") from exc
    except (OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        raise EvalError(f"[sse.dataQueryError] failed to execute query [{query['refId']}]: Post \"{url}\": {reason}") from exc
    data = payload.get("data") or {}
    if data.get("resultType") == "scalar":
        return [({}, _number(data["result"][1]))]
    return [(dict(item.get("metric", {})), _number(item["value"][1])) for item in data.get("result", [])]


def _error_body(exc: urllib.error.HTTPError) -> str:
    try:
        return json.loads(exc.read()).get("error") or f"{exc.code} {exc.reason}"
    except (OSError, ValueError):
        return f"{exc.code} {exc.reason}"


def _number(text: str) -> float:
    return float(text)  # "NaN", "+Inf" parse as float too


def _expression(query: dict[str, Any], outputs: dict[str, Series]) -> Series:
    model = query["model"]
    kind = model.get("type")
    source = model.get("expression", "")
    if kind in ("reduce", "threshold") and source not in outputs:
        raise EvalError(f"expression {query['refId']} reads {source!r}, which is no refId evaluated before it")
    if kind == "reduce":
        return [(labels, _reduce(value, model)) for labels, value in outputs[source]]
    if kind == "threshold":
        evaluator = ((model.get("conditions") or [{}])[0]).get("evaluator") or {}
        return [(labels, _threshold(value, evaluator)) for labels, value in outputs[source]]
    raise EvalError(f"expression type {kind!r} is not implemented by monlab's Grafana stand-in (refId {query['refId']})")


def _reduce(value: float | None, model: dict[str, Any]) -> float | None:
    settings = model.get("settings") or {}
    mode = settings.get("mode", "")
    if value is not None and (math.isnan(value) or math.isinf(value)):
        if mode == "dropNN":
            value = None
        elif mode == "replaceNN":
            value = float(settings.get("replaceWithValue", 0))
    if value is None:
        return None
    # one sample per series in an instant query: last/mean/min/max/sum of it is the sample itself
    return 1.0 if model.get("reducer") == "count" else value


def _threshold(value: float | None, evaluator: dict[str, Any]) -> float | None:
    if value is None:
        return None
    params = [float(p) for p in evaluator.get("params") or [0]]
    kind = evaluator.get("type", "gt")
    checks = {
        "gt": lambda: value > params[0], "lt": lambda: value < params[0],
        "gte": lambda: value >= params[0], "lte": lambda: value <= params[0],
        "eq": lambda: value == params[0], "ne": lambda: value != params[0],
        "within_range": lambda: params[0] < value < params[1],
        "outside_range": lambda: value < params[0] or value > params[1],
    }
    if kind not in checks:
        raise EvalError(f"threshold type {kind!r} is not implemented by monlab's Grafana stand-in")
    return 1.0 if checks[kind]() else 0.0


class Scheduler(threading.Thread):
    """Evaluates every unpaused rule each interval of its group."""

    def __init__(self, store: Store, states: StateManager, stop: threading.Event) -> None:
        super().__init__(name="ngalert-scheduler", daemon=True)
        self.store, self.states, self.stop = store, states, stop
        self.next_due: dict[str, float] = {}

    def run(self) -> None:
        while not self.stop.wait(0.5):
            with self.store.lock:
                rules = [json.loads(json.dumps(r)) for r in self.store.data["rules"].values()]
            self.states.forget({r["uid"] for r in rules})
            now = time.time()
            for rule in rules:
                if rule.get("isPaused") or now < self.next_due.get(rule["uid"], 0):
                    continue
                self.next_due[rule["uid"]] = now + rule["intervalSeconds"]
                self._evaluate(rule, now)

    def _evaluate(self, rule: dict[str, Any], now: float) -> None:
        started = time.time()
        try:
            results, error = evaluate(self.store, rule, now), None
        except EvalError as exc:
            results, error = [{"labels": {}, "state": "Error", "value": None, "error": str(exc)}], str(exc)
            log(LOGGER, "error", "Failed to evaluate rule", rule_uid=rule["uid"], org_id=rule["orgId"], error=str(exc))
        self.states.apply(rule, results, error, now, time.time() - started)
