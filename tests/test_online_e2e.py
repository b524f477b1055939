"""The online path end to end, on the stand-ins of issue 9 (tests/standins): plain `monlab up` (no
--offline) finds the images under monlab's pinned references, starts app, Prometheus and the Grafana
stand-in, and waits for provisioning; `monlab lab all` then runs every Grafana check for real.

The Grafana here is monlab's stand-in, not Grafana (see README "Stand-ins"). Every resource carries
this module's own project label and is removed by it.
"""

from __future__ import annotations

import json
import subprocess
import sys
import uuid

import httpx
import pytest

from monlab.catalog import load_catalog
from monlab.image_refs import normalized
from monlab.project import ONLINE_IMAGES
from printed_urls import broken_urls, printed_urls
from results_schema import validate_results
from labelled_projects import free_offset, remove_labelled
from monlab_cli import monlab_checked as monlab

pytestmark = pytest.mark.docker


@pytest.fixture(scope="module")
def online_stack(docker_client, standin_images):
    project = f"monlabtest-online-{uuid.uuid4().hex[:8]}"
    offset = free_offset()
    try:
        up = monlab("up", "--project", project, "--port-offset", str(offset), "--json")
        yield {"project": project, "offset": offset, "up": json.loads(up.stdout)}
    finally:
        remove_labelled(docker_client, project)


def test_plain_up_starts_all_three_and_waits_for_provisioning(online_stack, docker_client):
    report = online_stack["up"]
    assert set(report["services"]) == {"app", "prometheus", "grafana"}
    assert all(s["state"] == "running" for s in report["services"].values())
    images = {c.labels["monlab.service"]: {normalized(tag) for tag in c.image.tags} for c in
              docker_client.containers.list(filters={"label": f"monlab.project={online_stack['project']}"})}
    assert ONLINE_IMAGES["prometheus"] in images["prometheus"] and ONLINE_IMAGES["grafana"] in images["grafana"]
    # up returned only once Grafana had provisioned: every catalog rule is there right now, although
    # the stand-in answers /api/health seconds before it provisions anything
    grafana = report["services"]["grafana"]["url"]
    password = report["grafana"]["password"]
    rules = httpx.get(f"{grafana}/api/v1/provisioning/alert-rules", auth=("admin", password), timeout=10).json()
    assert {r["uid"] for r in rules} >= {alert.uid for alert in load_catalog().alerts}
    dashboard = httpx.get(f"{grafana}/api/dashboards/uid/monlab-lecture", timeout=10)
    assert dashboard.status_code == 200 and dashboard.json()["meta"]["provisioned"] is True
    settings = httpx.get(f"{grafana}/api/frontend/settings", timeout=10).json()
    assert settings["appUrl"] == f"http://127.0.0.1:{3000 + online_stack['offset']}/"


def test_lab_all_passes_with_every_grafana_check_run(online_stack):
    result = monlab("lab", "all", "--project", online_stack["project"], "--json", check=False)
    report = json.loads(result.stdout)
    checks = [c for lab in report["labs"] for c in lab["checks"]]
    grafana_checks = [c for c in checks if "in Grafana" in c["name"]]
    assert len(grafana_checks) >= 3, [c["name"] for c in checks]
    assert all(c["passed"] is True for c in grafana_checks), grafana_checks  # True: run and passed, not skipped
    assert result.returncode == 0 and report["passed"] is True, [c for c in checks if c["passed"] is not True]
    validate_results(report, "online", online_stack["project"])
    # every link `up` and the labs printed opens (the labs' text goes to stderr with --json)
    grafana = online_stack["up"]["services"]["grafana"]["url"]
    again = monlab("up", "--project", online_stack["project"], "--port-offset", str(online_stack["offset"]))
    assert "starting" not in again.stderr, again.stderr  # ready means Docker's healthcheck agrees
    urls = printed_urls(again.stderr + result.stderr)
    assert any(u.startswith(grafana + "/d/") for u in urls), urls  # online, the guidance names Grafana's dashboard
    assert not broken_urls(urls, grafana, ("admin", online_stack["up"]["grafana"]["password"]))
    # the app's restarts are marked on the lecture dashboard (the stand-in lists what was posted)
    listed = httpx.get(f"{grafana}/api/annotations", params={"dashboardUID": "monlab-lecture", "tags": "restart"},
                       auth=("admin", online_stack["up"]["grafana"]["password"]), timeout=10)
    assert listed.status_code == 200, listed.text
    marks = listed.json()
    assert sorted(tuple(m["tags"][2:]) for m in marks) == [("redeploy", "section-9"), ("redeploy", "section-9"),
                                                           ("start", "section-4")], marks
    assert "improved app" in marks[0]["text"], marks  # newest first: §9's second redeploy


def test_images_list_shows_the_pins_present_as_standins(standin_images):
    listed = json.loads(monlab("images", "list", "--json").stdout)["images"]
    online = {item["key"]: item["online"] for item in listed}
    assert {key: online[key]["ref"] for key in ONLINE_IMAGES} == ONLINE_IMAGES
    assert online["prometheus"]["ref"].startswith("docker.io/prom/prometheus:v3.13.")
    assert online["grafana"]["ref"].startswith("docker.io/grafana/grafana:12.4.")
    assert all(online[key]["present"] for key in ONLINE_IMAGES)


# A rules file Grafana rejects cannot come from the lab files (monlab validates them and derives
# uids that fit), so this test makes monlab's renderer write one: the first rule gets a 41-character
# uid. Everything else is the real path: `up` uploads it, the Grafana stand-in refuses it and stops
# as Grafana's provisioning does, and `up` must say so with Grafana's log line.
BROKEN_RENDERER = """
import monlab.render.grafana_provisioning as provisioning

real = provisioning.alert_rules

def broken(ctx, catalog):
    rules = real(ctx, catalog)
    rules["groups"][0]["rules"][0]["uid"] = "x" * 41
    return rules

provisioning.alert_rules = broken
"""


def monlab_patched(patch: str, *args: str) -> subprocess.CompletedProcess:
    """`monlab ARGS` in a process where `patch` (Python source) ran first."""
    run_cli = "\nimport sys\nfrom monlab.cli import main\nsys.argv = ['monlab', *sys.argv[1:]]\nmain()\n"
    return subprocess.run([sys.executable, "-c", patch + run_cli, *args], capture_output=True, text=True, timeout=600)


def test_up_with_a_rules_file_grafana_rejects_exits_3_naming_it(docker_client, standin_images):
    project = f"monlabtest-online-broken-{uuid.uuid4().hex[:8]}"
    try:
        result = monlab_patched(BROKEN_RENDERER, "up", "--project", project, "--port-offset", str(free_offset()))
        assert result.returncode == 3, result.stderr[-3000:]
        said = " ".join(result.stderr.split())
        assert "grafana" in said.lower() and "x" * 41 in said and "UID is longer than 40 symbols" in said, said[-3000:]
        assert "Traceback" not in result.stderr
    finally:
        remove_labelled(docker_client, project)



# Grafana loads a rule whose datasource uid names nothing and fails it only when evaluating
# (ngalert/eval/eval.go); monlab refuses such files before starting, so this test switches that
# check off and makes the renderer write one, to see `up` notice Grafana's evaluation error.
UNKNOWN_DATASOURCE_RENDERER = """
import monlab.render
import monlab.render.grafana_provisioning as provisioning

real = provisioning.alert_rules

def broken(ctx, catalog):
    rules = real(ctx, catalog)
    rules["groups"][0]["rules"][0]["data"][0]["datasourceUid"] = "no-such-datasource"
    return rules

provisioning.alert_rules = broken
monlab.render.require_sound_grafana = lambda files: None
"""


def test_up_stops_when_grafana_cannot_evaluate_a_rule(docker_client, standin_images):
    project = f"monlabtest-online-nods-{uuid.uuid4().hex[:8]}"
    try:
        result = monlab_patched(UNKNOWN_DATASOURCE_RENDERER, "up", "--project", project, "--port-offset", str(free_offset()))
        said = " ".join(result.stderr.split())
        assert result.returncode == 3, said[-3000:]
        assert "data source not found" in said and "Traceback" not in said, said[-3000:]
    finally:
        remove_labelled(docker_client, project)


# The lab files cannot lose an alert during a test, so this `up` runs with a catalog that lacks the
# first one, as if a teacher had deleted it from labs/*.yaml.
CATALOG_WITHOUT_FIRST_ALERT = """
import dataclasses
import monlab.catalog as catalog
import monlab.stack.up as up

real = catalog.load_catalog

def without_first_alert(directory=None):
    loaded = real(directory)
    first = loaded.alerts[0].name
    sections = tuple(dataclasses.replace(s, alerts=tuple(a for a in s.alerts if a.name != first)) for s in loaded.sections)
    return dataclasses.replace(loaded, sections=sections)

up.load_catalog = without_first_alert
"""


def grafana_rule_uids(report: dict) -> set[str]:
    grafana, password = report["services"]["grafana"]["url"], report["grafana"]["password"]
    rules = httpx.get(f"{grafana}/api/v1/provisioning/alert-rules", auth=("admin", password), timeout=10).json()
    return {rule["uid"] for rule in rules}


def test_a_rule_dropped_from_the_catalog_is_deleted_from_grafana_on_the_next_up(docker_client, standin_images):
    project, offset = f"monlabtest-online-prune-{uuid.uuid4().hex[:8]}", free_offset()
    dropped = load_catalog().alerts[0].uid
    args = ["up", "--project", project, "--port-offset", str(offset), "--json"]
    try:
        assert dropped in grafana_rule_uids(json.loads(monlab(*args).stdout))
        without = monlab_patched(CATALOG_WITHOUT_FIRST_ALERT, *args)
        assert without.returncode == 0, without.stderr[-3000:]
        uids = grafana_rule_uids(json.loads(without.stdout))
        assert dropped not in uids, "Grafana never prunes file-provisioned rules: monlab must list it under deleteRules"
        assert uids >= {a.uid for a in load_catalog().alerts[1:]}
        assert dropped in grafana_rule_uids(json.loads(monlab(*args).stdout)), "back in the catalog, back in Grafana"
    finally:
        remove_labelled(docker_client, project)
