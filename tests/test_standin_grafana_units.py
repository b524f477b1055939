"""The Grafana stand-in's pure parts, without Docker: Grafana's wording for files it rejects, its
duration and uid rules, and the alert state machine (pending for `for`, then firing)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import yaml

sys.path.insert(0, str(Path(__file__).parent / "standins" / "grafana"))

from standin_grafana import alerting, evaluate  # noqa: E402
from standin_grafana.errors import ProvisioningError  # noqa: E402
from standin_grafana.store import Store  # noqa: E402
from standin_grafana.values import go_duration, interpolate, parse_duration  # noqa: E402

from monlab.render import RenderContext, render_stack  # noqa: E402
from monlab.render.grafana_provisioning import ALERTS_FILE  # noqa: E402


@pytest.mark.parametrize("text, seconds", [("10s", 10), ("1m", 60), ("1h30m", 5400), ("0", 0), ("250ms", 0.25), ("1d", 86400)])
def test_durations_parse_as_prometheus_model_does(text, seconds):
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "soon", "10", "1.5m", "-1s"])
def test_bad_durations_say_so_in_prometheus_words(text):
    with pytest.raises(ValueError, match=f'not a valid duration string: "{text}"'):
        parse_duration(text)


@pytest.mark.parametrize("seconds, text", [(0, "0s"), (15, "15s"), (60, "1m0s"), (3725, "1h2m5s")])
def test_go_duration_strings(seconds, text):
    assert go_duration(seconds) == text


@pytest.mark.parametrize("uid, problem", [
    ("a" * 40, None),
    ("a" * 41, "UID is longer than 40 symbols"),
    ("with space", "invalid format of UID. Only letters, numbers, '-' and '_' are allowed"),
    ("ok-uid_1", None),
])
def test_uids_follow_util_validate_uid(uid, problem):
    assert alerting.validate_uid(uid) == problem


def test_values_interpolate_environment_variables(monkeypatch):
    monkeypatch.setenv("STANDIN_X", "value")
    assert interpolate("a-$STANDIN_X-${STANDIN_X}-$$") == "a-value-value-$"


def _rendered_rules() -> dict:
    return yaml.safe_load(render_stack(RenderContext())["grafana"][ALERTS_FILE])


def _provision(tmp_path, rules: dict) -> Store:
    (tmp_path / "alerting").mkdir(exist_ok=True)
    (tmp_path / "alerting" / "rules.yml").write_text(yaml.safe_dump(rules))
    store = Store(str(tmp_path))
    alerting.provision(store, tmp_path / "alerting")
    return store


def test_monlabs_rendered_rules_provision_cleanly(tmp_path):
    rules = _rendered_rules()
    store = _provision(tmp_path, rules)
    assert set(store.data["rules"]) == {r["uid"] for g in rules["groups"] for r in g["rules"]}
    assert all(r["intervalSeconds"] == 10 for r in store.data["rules"].values())


def _first(rules):
    return rules["groups"][0]["rules"][0]


BROKEN = [  # (change, Grafana's error text)
    (lambda r: _first(r).update(uid="x" * 41), "alert rules: invalid alert rule\ncannot create rule with UID '" + "x" * 41 + "': UID is longer than 40 symbols"),
    (lambda r: _first(r).pop("uid"), "failure to map file rules.yml: failure parsing rules: rule 'AppDown' failed to parse: no UID set"),
    (lambda r: _first(r).update({"for": "5 min"}), "rule 'AppDown' failed to parse 'for' field: not a valid duration string: \"5 min\""),
    (lambda r: _first(r).update(condition=""), "rule 'AppDown' failed to parse: no condition set"),
    (lambda r: _first(r).update(noDataState="Maybe"), "unknown NoData state option Maybe"),
    (lambda r: r["groups"][0].update(folder=""), "rule group has no folder set"),
    (lambda r: r["groups"][0].update(interval="15s"), "invalid alert rule: interval (15s) should be non-zero and divided exactly by scheduler interval: 10"),
    (lambda r: _first(r)["annotations"].pop("__panelId__"), "both annotations __dashboardUid__ and __panelId__ must be specified"),
    (lambda r: _first(r)["data"][0].update(relativeTimeRange={"from": 0, "to": 0}),
     "Invalid alert rule query A: invalid relative time range [From: 0s, To: 0s]"),
]


@pytest.mark.parametrize("change, said", BROKEN)
def test_files_grafana_rejects_fail_with_its_words(tmp_path, change, said):
    rules = _rendered_rules()
    change(rules)
    with pytest.raises(ProvisioningError) as caught:
        _provision(tmp_path, rules)
    assert said in str(caught.value)


@pytest.mark.parametrize("change", [
    lambda r: _first(r)["data"][0].update(datasourceUid="no-such-datasource"),
    lambda r: _first(r).update(condition="Z"),
])
def test_what_grafana_checks_only_when_evaluating_does_not_stop_provisioning(tmp_path, change):
    rules = _rendered_rules()
    change(rules)
    store = _provision(tmp_path, rules)
    with pytest.raises(evaluate.EvalError):
        evaluate.evaluate(store, store.data["rules"][_first(rules)["uid"]], 0.0)


def test_rules_are_upserted_by_uid_and_pruned_only_by_delete_rules(tmp_path):
    rules = _rendered_rules()
    store = _provision(tmp_path, rules)
    dropped = rules["groups"][0]["rules"].pop()["uid"]
    store = _provision(tmp_path, rules)
    assert dropped in store.data["rules"]
    rules["deleteRules"] = [{"orgId": 1, "uid": dropped}]
    store = _provision(tmp_path, rules)
    assert dropped not in store.data["rules"]


RULE = {"uid": "r", "for": 20.0, "noDataState": "OK", "execErrState": "Error"}


@pytest.mark.parametrize("results, states", [
    # (one result per evaluation, 10 s apart) -> state after each
    (["Alerting", "Alerting", "Alerting", "Normal"], ["Pending", "Pending", "Alerting", "Normal"]),
    (["Alerting", "Normal", "Alerting"], ["Pending", "Normal", "Pending"]),
    (["NoData", "NoData"], ["Normal", "Normal"]),
    (["Error"], ["Error"]),
])
def test_state_machine_pends_for_then_fires(results, states):
    manager, seen = evaluate.StateManager(), []
    for step, outcome in enumerate(results):
        manager.apply(RULE, [{"labels": {}, "state": outcome, "value": None}], None, step * 10.0, 0.0)
        seen.append(manager.snapshot("r")[0][0]["state"])
    assert seen == states


def test_zero_for_fires_at_once():
    manager = evaluate.StateManager()
    manager.apply({**RULE, "for": 0.0}, [{"labels": {}, "state": "Alerting", "value": 1.0}], None, 0.0, 0.0)
    assert manager.snapshot("r")[0][0]["state"] == "Alerting"


@pytest.mark.parametrize("value, evaluator, out", [
    (5.0, {"type": "gt", "params": [1]}, 1.0),
    (0.5, {"type": "gt", "params": [1]}, 0.0),
    (0.5, {"type": "lt", "params": [1]}, 1.0),
    (float("nan"), {"type": "gt", "params": [0]}, 0.0),
    (None, {"type": "gt", "params": [0]}, None),
    (3.0, {"type": "within_range", "params": [1, 5]}, 1.0),
])
def test_threshold(value, evaluator, out):
    assert evaluate._threshold(value, evaluator) == out


def test_reduce_drop_non_numbers_leaves_no_value():
    assert evaluate._reduce(float("nan"), {"reducer": "last", "settings": {"mode": "dropNN"}}) is None
    assert evaluate._reduce(2.0, {"reducer": "last", "settings": {"mode": "dropNN"}}) == 2.0
