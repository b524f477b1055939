"""Grafana provisioning as rendered from the catalog: datasource uid everywhere, every lecture query on a
panel, alert rules in the file format and wired correctly. Grafana cannot run here, so the files are
checked for what Grafana would otherwise only complain about in its log."""

from __future__ import annotations

import json

import pytest
import yaml

from monlab.catalog import load_catalog
from monlab.chart_panels import same_query, section_charts
from monlab.render import DASHBOARD_UID, DATASOURCE_UID, RenderContext, panel_numeric_ids, panel_url, render_stack
from monlab.render.grafana_checks import dashboard_panels, dashboard_targets, grafana_problems

DASHBOARD = "dashboards/lecture.json"
ALERTS = "provisioning/alerting/monlab-alerts.yml"
DATASOURCES = "provisioning/datasources/monlab.yml"

# Copied by hand from the lecture (lecture-2-goals-and-approaches.md §4-§8), not from the catalog.
LECTURE_QUERIES = [
    'up{job="flask-app-uptime"}',
    "rate(http_request_duration_seconds_sum[1m]) / rate(http_request_duration_seconds_count[1m])",
    "sum(rate(http_requests_total[1m])) by (endpoint)",
    "sum(increase(http_requests_total[1h]))",
    'rate(login_attempts_total{status="failure"}[5m])',
    "increase(purchase_amount_total[1h])",
]


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


@pytest.fixture(scope="module")
def files(catalog):
    return render_stack(RenderContext(), catalog)["grafana"]


@pytest.fixture(scope="module")
def dashboard(files):
    return json.loads(files[DASHBOARD])


@pytest.fixture(scope="module")
def rules(files):
    return [rule for group in yaml.safe_load(files[ALERTS])["groups"] for rule in group["rules"]]


def test_the_expected_files_at_grafana_paths(files):
    assert set(files) == {DATASOURCES, "provisioning/dashboards/monlab.yml", ALERTS, DASHBOARD}


def test_rendered_files_pass_every_consistency_check(files):
    assert grafana_problems(files) == []


def test_datasource_has_the_fixed_uid_and_is_default(files):
    (source,) = yaml.safe_load(files[DATASOURCES])["datasources"]
    assert (source["uid"], source["type"], source["isDefault"]) == (DATASOURCE_UID, "prometheus", True)
    assert source["url"] == "http://prometheus:9090"


def test_every_lecture_query_is_a_panel_query_verbatim(dashboard):
    exprs = [t["expr"] for t in dashboard_targets(dashboard)]
    for query in LECTURE_QUERIES:
        assert query in exprs


def test_every_catalog_panel_is_on_the_dashboard(dashboard, catalog):
    by_title = {p["title"]: p for p in dashboard_panels(dashboard)}
    charts = [p for s in catalog.sections for p in section_charts(s)]  # the panels and alert queries they lack
    assert len(by_title) == len(charts) == len(catalog.panels) + 1  # §7's FailedLoginBurst
    ids = panel_numeric_ids(catalog)
    for panel in charts:
        shown = by_title[panel.title]
        assert [t["expr"] for t in shown["targets"]] == [panel.expr]
        assert shown["id"] == ids[panel.id]
        assert shown["type"] == panel.kind
    assert ids["logins-by-status"] == 702 and ids["alert-failedloginburst"] == 703  # lecture panels keep their ids


def test_a_threshold_is_drawn_only_on_a_panel_of_the_alerts_own_query(dashboard, catalog):
    by_title = {p["title"]: p for p in dashboard_panels(dashboard)}
    for title, panel in by_title.items():
        steps = panel["fieldConfig"]["defaults"].get("thresholds", {}).get("steps", [])
        values = [step["value"] for step in steps if step["value"] is not None]
        expr = panel["targets"][0]["expr"]
        assert values == [a.threshold for a in catalog.alerts if same_query(a.query, expr)], title
    assert "thresholds" not in by_title["Failed login rate"]["fieldConfig"]["defaults"]  # a rate, not a count
    burst = by_title["FailedLoginBurst alert query"]["fieldConfig"]["defaults"]
    assert [s["color"] for s in burst["thresholds"]["steps"]] == ["green", "red"]
    assert burst["custom"]["thresholdsStyle"] == {"mode": "dashed"}


def test_every_query_has_a_ref_id_and_the_fixed_datasource(dashboard, rules):
    for target in dashboard_targets(dashboard):
        assert target["refId"] and target["datasource"]["uid"] == DATASOURCE_UID
    for rule in rules:
        sources = [q["datasourceUid"] for q in rule["data"] if q["datasourceUid"] != "__expr__"]
        assert sources == [DATASOURCE_UID]


def test_no_sharing_placeholders_anywhere(files):
    for text in files.values():
        assert "${DS_" not in text


def test_a_row_per_lecture_section_with_panels(dashboard, catalog):
    rows = [p["title"] for p in dashboard["panels"] if p["type"] == "row"]
    assert rows == [f"§{s.number} {s.title}" for s in catalog.sections if s.panels]
    assert "§5 Performance Optimization" in rows


def test_dashboard_settings(dashboard):
    assert dashboard["uid"] == DASHBOARD_UID
    assert dashboard["refresh"] == "5s"
    assert dashboard["time"] == {"from": "now-15m", "to": "now"}
    assert dashboard["templating"] == {"list": []}
    assert [a["builtIn"] for a in dashboard["annotations"]["list"]] == [1]
    [builtin] = dashboard["annotations"]["list"]  # shows the labs' restart marks posted to this dashboard
    assert builtin["enable"] is True and builtin["datasource"]["type"] == "grafana"
    assert builtin["target"] == {"limit": 100, "matchAny": False, "tags": [], "type": "dashboard"}


def test_panel_ids_are_unique_and_stable(dashboard, catalog):
    ids = [p["id"] for p in dashboard["panels"]]
    assert len(ids) == len(set(ids))
    again = json.loads(render_stack(RenderContext(), catalog)["grafana"][DASHBOARD])
    assert [p["id"] for p in again["panels"]] == ids


def test_panel_url_points_at_the_panel_id(catalog):
    url = panel_url("http://127.0.0.1:3005/", "app-uptime", catalog)
    number = panel_numeric_ids(catalog)["app-uptime"]
    assert url == f"http://127.0.0.1:3005/d/{DASHBOARD_UID}/devops-monitoring-lecture?viewPanel={number}"


def test_grafana_rules_mirror_the_catalog_alerts(rules, catalog):
    assert [r["title"] for r in rules] == [a.name for a in catalog.alerts]
    ids = panel_numeric_ids(catalog)
    for rule, alert in zip(rules, catalog.alerts):
        query, reduce, threshold = rule["data"]
        assert query["model"]["expr"] == alert.query
        assert query["relativeTimeRange"]["from"] > 0
        assert (reduce["model"]["type"], reduce["model"]["reducer"]) == ("reduce", "last")
        evaluator = threshold["model"]["conditions"][0]["evaluator"]
        assert evaluator == {"type": {">": "gt", "<": "lt"}[alert.op], "params": [alert.threshold]}
        assert rule["condition"] == "C" and rule["for"] == alert.for_
        assert rule["labels"]["severity"] == alert.severity
        if alert.panel:
            assert rule["annotations"]["__dashboardUid__"] == DASHBOARD_UID
            assert rule["annotations"]["__panelId__"] == str(ids[alert.panel])


def _break(files, path, edit):
    data = yaml.safe_load(files[path]) if path.endswith(".yml") else json.loads(files[path])
    edit(data)
    return {**files, path: yaml.safe_dump(data) if path.endswith(".yml") else json.dumps(data)}


def _first_rule(data):
    return data["groups"][0]["rules"][0]


@pytest.mark.parametrize("path, edit, problem", [
    (DASHBOARD, lambda d: d["panels"][1]["targets"][0]["datasource"].update(uid="${DS_PROMETHEUS}"), "${DS_"),
    (DASHBOARD, lambda d: d["panels"][1]["targets"][0].pop("refId"), "has no refId"),
    (DASHBOARD, lambda d: d["panels"][2].update(id=d["panels"][1]["id"]), "unique"),
    (DATASOURCES, lambda d: d["datasources"][0].update(isDefault=False), "default Prometheus datasource"),
    (ALERTS, lambda d: _first_rule(d).update(condition="D"), "condition 'D' names no refId"),
    (ALERTS, lambda d: _first_rule(d)["data"][0].update(relativeTimeRange={"from": 0, "to": 0}), "empty relativeTimeRange"),
    (ALERTS, lambda d: _first_rule(d)["data"][0].update(datasourceUid="other"), "does not use datasource uid"),
    (ALERTS, lambda d: _first_rule(d)["data"][2]["model"].update(expression="Z"), "which is no refId"),
    (ALERTS, lambda d: _first_rule(d).pop("for"), "lacks for"),
    (ALERTS, lambda d: d["groups"][0].pop("folder"), "lacks folder"),
    (ALERTS, lambda d: _first_rule(d)["annotations"].update(__panelId__="9999"), "panel that does not exist"),
])
def test_checks_catch_broken_files(files, path, edit, problem):
    problems = grafana_problems(_break(files, path, edit))
    assert any(problem in p for p in problems), problems


def test_up_refuses_files_grafana_would_run_broken_naming_the_problem(files):
    from monlab.errors import ConfigError
    from monlab.render import require_sound_grafana

    require_sound_grafana(files)  # the rendered files pass
    broken = _break(files, ALERTS, lambda d: _first_rule(d)["data"][0].update(datasourceUid="nowhere"))
    with pytest.raises(ConfigError) as caught:
        require_sound_grafana(broken)
    assert caught.value.one_line().startswith("The generated Grafana provisioning is broken: " + ALERTS)
    assert "nowhere" in caught.value.message and "monlab render --out DIR" in caught.value.one_line()
