"""The stand-in images of issue 9 on a real Docker engine: the Grafana stand-in against a real
Prometheus (Debian's 2.42 from monlab/prometheus:bookworm), fed with the files monlab's own renderer
writes, put into the containers through the Docker API.

What the Grafana stand-in must do is what Grafana 12.4 does by its source (see the citations in
tests/standins/grafana/standin_grafana/); these tests hold it to that. Every container, network and
volume carries this module's own `monlab.project` label and is removed by it.
"""

from __future__ import annotations

import io
import tarfile
import time
import uuid

import httpx
import pytest
import yaml

from conftest import free_port
from monlab.docker_runtime import connect
from monlab.render import RenderContext, render_stack
from monlab.render.grafana_provisioning import ALERTS_FILE
from monlab.waiting import Outcome, poll
from standins import LABEL, STANDINS
from labelled_projects import remove_labelled

pytestmark = pytest.mark.docker

PROJECT = f"monlabtest-standins-{uuid.uuid4().hex[:8]}"
PASSWORD = "standin-test-pw"
LABELS = {"monlab.project": PROJECT}


@pytest.fixture(scope="module")
def network(docker_client):
    net = docker_client.networks.create(f"{PROJECT}-net", driver="bridge", labels=LABELS)
    yield net.name
    remove_labelled(docker_client, PROJECT)


@pytest.fixture(scope="module")
def prometheus(docker_client, network):
    config = "global:\n  scrape_interval: 5s\nscrape_configs:\n  - job_name: prometheus\n    static_configs:\n      - targets: ['localhost:9090']\n"
    container = docker_client.containers.create(
        "monlab/prometheus:bookworm", name=f"{PROJECT}-prometheus", labels=LABELS,
        command=["--config.file=/etc/prometheus/standin-test.yml", "--storage.tsdb.path=/prometheus"],
    )
    docker_client.networks.get(network).connect(container, aliases=["prometheus"])
    container.put_archive("/", _tar({"/etc/prometheus/standin-test.yml": config}))
    container.start()
    return container


@pytest.fixture(scope="module")
def rendered():
    files = render_stack(RenderContext(project=PROJECT))["grafana"]
    return {f"/etc/grafana/{path}": text for path, text in files.items()}


class Grafana:
    """One Grafana stand-in container; a new one on the same volume plays Grafana restarted."""

    def __init__(self, docker_client, network, volume, files, delay=1.0, password=PASSWORD):
        self.port = free_port()
        self.container = docker_client.containers.create(
            STANDINS[2].ref, name=f"{PROJECT}-grafana-{uuid.uuid4().hex[:6]}", labels=LABELS, network=network,
            environment={
                "GF_SECURITY_ADMIN_USER": "admin", "GF_SECURITY_ADMIN_PASSWORD": password,
                "GF_AUTH_ANONYMOUS_ENABLED": "true", "GF_AUTH_ANONYMOUS_ORG_ROLE": "Viewer",
                "GF_PATHS_PROVISIONING": "/etc/grafana/provisioning",
                "GF_SERVER_ROOT_URL": f"http://127.0.0.1:{self.port}",
                "STANDIN_PROVISIONING_DELAY": str(delay),
            },
            volumes={volume: {"bind": "/var/lib/grafana", "mode": "rw"}},
            ports={"3000/tcp": ("127.0.0.1", self.port)},
        )
        self.container.put_archive("/", _tar(files))
        self.container.start()
        self.url = f"http://127.0.0.1:{self.port}"
        self.removed = False

    def get(self, path, admin=False, auth=None, **params):
        auth = auth or (("admin", PASSWORD) if admin else None)
        return httpx.get(self.url + path, params=params, auth=auth, timeout=15)

    def wait_listening(self, timeout=30):
        result = poll(lambda: Outcome(self._answers()), timeout, 0.2)
        assert result.done, f"the stand-in never answered: {self.logs()}"

    def _answers(self):
        try:
            return self.get("/api/health").status_code == 200
        except httpx.HTTPError:
            return False

    def wait_provisioned(self, count, timeout=40):
        def probe():
            try:
                rules = self.get("/api/v1/provisioning/alert-rules", admin=True).json()
                dashboards = self.get("/api/search", type="dash-db").json()
            except httpx.HTTPError:
                return Outcome(False)
            return Outcome(len(rules) >= count and len(dashboards) >= 1, rules)

        result = poll(probe, timeout, 0.5)
        assert result.done, f"not provisioned: {result.value} / {self.logs()}"
        return result.value

    def rule_uids(self):
        return {r["uid"] for r in self.get("/api/v1/provisioning/alert-rules", admin=True).json()}

    def exit_code(self, timeout=40):
        result = poll(lambda: Outcome(self._state()["Status"] == "exited", self._state()), timeout, 0.5)
        assert result.done, f"the stand-in kept running: {self.logs()}"
        return result.value["ExitCode"]

    def _state(self):
        self.container.reload()
        return self.container.attrs["State"]

    def logs(self):
        return self.container.logs().decode(errors="replace")

    def remove(self):
        if not self.removed:
            self.container.remove(force=True)
            self.removed = True


@pytest.fixture
def start_grafana(docker_client, network, prometheus, standin_images):
    started = []

    def start(files, volume=None, delay=1.0, password=PASSWORD):
        volume = volume or docker_client.volumes.create(f"{PROJECT}-data-{uuid.uuid4().hex[:6]}", labels=LABELS).name
        grafana = Grafana(docker_client, network, volume, files, delay, password)
        started.append(grafana)
        return grafana

    yield start
    for grafana in started:
        grafana.remove()


def _tar(files):
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for path, text in files.items():
            data = text.encode()
            info = tarfile.TarInfo(path.lstrip("/"))
            info.size, info.mode = len(data), 0o644
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def _with_alerts(rendered, alerts):
    return {**rendered, f"/etc/grafana/{ALERTS_FILE}": yaml.safe_dump(alerts, sort_keys=False)}


def _alerts(rendered):
    return yaml.safe_load(rendered[f"/etc/grafana/{ALERTS_FILE}"])


def _catalog_uids(rendered):
    return {rule["uid"] for group in _alerts(rendered)["groups"] for rule in group["rules"]}


def _states(grafana):
    body = grafana.get("/api/prometheus/grafana/api/v1/rules").json()
    assert body["status"] == "success"
    return {rule["name"]: rule for group in body["data"]["groups"] for rule in group["rules"]}


# --- the images themselves ------------------------------------------------------------------


def test_every_standin_is_labelled_and_laid_out_like_upstream(docker_client, standin_images):
    config = {s.key: docker_client.images.get(s.ref).attrs["Config"] for s in STANDINS}
    assert all(LABEL in c["Labels"] for c in config.values())
    assert config["prometheus"]["Entrypoint"] == ["/bin/prometheus"]
    assert config["prometheus"]["Cmd"] == ["--config.file=/etc/prometheus/prometheus.yml", "--storage.tsdb.path=/prometheus"]
    assert (config["prometheus"]["User"], config["prometheus"]["WorkingDir"]) == ("nobody", "/prometheus")
    assert "/prometheus" in config["prometheus"]["Volumes"] and "9090/tcp" in config["prometheus"]["ExposedPorts"]
    assert (config["grafana"]["User"], config["grafana"]["WorkingDir"]) == ("472", "/usr/share/grafana")
    assert "GF_PATHS_DATA=/var/lib/grafana" in config["grafana"]["Env"]
    assert config["app-base"]["Cmd"] == ["python3"] and "LANG=C.UTF-8" in config["app-base"]["Env"]


def run_once(client, image: str, command: list[str], **options) -> bytes:
    """Run a container to its end and remove it with its anonymous volumes (the Prometheus image
    declares VOLUME /prometheus; docker-py's remove=True would leave that volume behind)."""
    container = client.containers.run(image, command, detach=True, labels=LABELS, **options)
    try:
        container.wait(timeout=60)
        return container.logs()
    finally:
        container.remove(v=True, force=True)


def test_python_standin_runs_python_with_the_app_dependencies(docker_client, standin_images):
    out = run_once(docker_client, standin_images["app-base"],
                   ["python", "-c", "import flask, prometheus_client, gunicorn, os; print(os.getcwd())"])
    assert out.decode().strip() == "/"


def test_prometheus_standin_starts_as_nobody_with_its_default_command(docker_client, standin_images):
    out = run_once(docker_client, standin_images["prometheus"], ["--version"])
    assert b"prometheus, version 2.42" in out
    uid = run_once(docker_client, standin_images["prometheus"], [], entrypoint=["id", "-u"])
    assert uid.decode().strip() == "65534"


# --- the Grafana stand-in --------------------------------------------------------------------


def test_health_answers_before_provisioning_then_everything_arrives(start_grafana, rendered):
    grafana = start_grafana(rendered, delay=6)
    grafana.wait_listening()
    listening = time.monotonic()
    assert grafana.get("/api/health").json()["database"] == "ok"
    assert grafana.get("/api/v1/provisioning/alert-rules", admin=True).json() == []
    assert grafana.get("/api/dashboards/uid/monlab-lecture").status_code == 404
    rules = grafana.wait_provisioned(len(_catalog_uids(rendered)))
    assert time.monotonic() - listening > 3, "provisioning should come seconds after /api/health answers"
    assert {r["uid"] for r in rules} == _catalog_uids(rendered)
    assert "logger=provisioning.alerting" in grafana.logs()


def test_datasource_health_queries_the_real_prometheus(start_grafana, rendered):
    extra = ("apiVersion: 1\ndatasources:\n  - name: Nowhere\n    type: prometheus\n    uid: nowhere\n"
             "    url: http://nowhere.invalid:9090\n")
    grafana = start_grafana({**rendered, "/etc/grafana/provisioning/datasources/nowhere.yml": extra})
    grafana.wait_listening()
    grafana.wait_provisioned(1)
    result = poll(lambda: Outcome(grafana.get("/api/datasources/uid/monlab-prometheus/health").status_code == 200), 30, 1)
    assert result.done, grafana.get("/api/datasources/uid/monlab-prometheus/health").text
    ok = grafana.get("/api/datasources/uid/monlab-prometheus/health").json()
    assert ok["status"] == "OK" and ok["message"] == "Successfully queried the Prometheus API."
    broken = grafana.get("/api/datasources/uid/nowhere/health")
    assert broken.status_code == 400 and broken.json()["status"] == "ERROR"
    assert broken.json()["message"].endswith("There was an error returned querying the Prometheus API.")
    # pkg/api/datasources.go: a uid that names no datasource is "Unable to load datasource metadata" (500)
    assert grafana.get("/api/datasources/uid/no-such-uid/health").status_code == 500


def test_dashboard_by_uid_and_search_and_auth(start_grafana, rendered):
    grafana = start_grafana(rendered)
    grafana.wait_listening()
    grafana.wait_provisioned(1)
    body = grafana.get("/api/dashboards/uid/monlab-lecture").json()
    assert body["dashboard"]["uid"] == "monlab-lecture"
    assert body["meta"]["provisioned"] is True and body["meta"]["folderTitle"] == "monlab"
    hits = grafana.get("/api/search", type="dash-db").json()
    assert [(h["uid"], h["folderTitle"]) for h in hits] == [("monlab-lecture", "monlab")]
    assert hits[0]["url"].startswith("/d/monlab-lecture/")
    assert grafana.get("/api/dashboards/uid/nope").status_code == 404
    assert grafana.get("/api/v1/provisioning/alert-rules").status_code == 403  # anonymous Viewer
    assert grafana.get("/api/v1/provisioning/alert-rules", auth=("admin", "wrong")).status_code == 401
    settings = grafana.get("/api/frontend/settings").json()
    assert settings["appUrl"] == f"http://127.0.0.1:{grafana.port}/"


def test_rule_dropped_from_the_file_stays_until_delete_rules_names_it(docker_client, start_grafana, rendered):
    volume = docker_client.volumes.create(f"{PROJECT}-keep-{uuid.uuid4().hex[:6]}", labels=LABELS).name
    first = start_grafana(rendered, volume)
    first.wait_listening()
    first.wait_provisioned(len(_catalog_uids(rendered)))
    first.remove()

    alerts = _alerts(rendered)
    dropped = alerts["groups"][0]["rules"].pop()["uid"]
    second = start_grafana(_with_alerts(rendered, alerts), volume)
    second.wait_listening()
    second.wait_provisioned(len(_catalog_uids(rendered)))
    assert dropped in second.rule_uids(), "Grafana never prunes file-provisioned rules"
    second.remove()

    alerts["deleteRules"] = [{"orgId": 1, "uid": dropped}, {"orgId": 1, "uid": "never-existed"}]
    third = start_grafana(_with_alerts(rendered, alerts), volume)
    third.wait_listening()
    result = poll(lambda: Outcome(third.rule_uids() == _catalog_uids(rendered) - {dropped}, third.rule_uids()), 40, 0.5)
    assert result.done, f"{result.value} / {third.logs()}"


def _rule0(alerts):
    return alerts["groups"][0]["rules"][0]


def _long_uid(alerts):
    _rule0(alerts)["uid"] = "x" * 41


def _bad_for(alerts):
    _rule0(alerts)["for"] = "soon"


def _interval_15s(alerts):
    alerts["groups"][0]["interval"] = "15s"


def _empty_window(alerts):
    _rule0(alerts)["data"][0]["relativeTimeRange"] = {"from": 0, "to": 0}


ALERTS_NAME = ALERTS_FILE.rsplit("/", 1)[-1]
BROKEN_ALERTS = [  # (change to the rendered rules file, what the last log lines must say)
    (_long_uid, ["Failed to provision alerting", "x" * 41, "UID is longer than 40 symbols"]),
    (_bad_for, ["Failed to provision alerting", f"failure to map file {ALERTS_NAME}", "failed to parse 'for' field"]),
    (_interval_15s, ["Failed to provision alerting", "interval (15s) should be non-zero and divided exactly by scheduler interval: 10"]),
    (_empty_window, ["Failed to provision alerting", "Invalid alert rule query A: invalid relative time range [From: 0s, To: 0s]"]),
]


@pytest.mark.parametrize("change, said", BROKEN_ALERTS, ids=lambda v: getattr(v, "__name__", ""))
def test_a_rules_file_grafana_rejects_stops_the_standin_saying_why(start_grafana, rendered, change, said):
    alerts = _alerts(rendered)
    change(alerts)
    grafana = start_grafana(_with_alerts(rendered, alerts))
    assert grafana.exit_code() != 0
    last = grafana.logs().strip().splitlines()[-2:]
    assert any(all(part in line for part in said) for line in last), last


def test_two_default_datasources_stop_the_standin_with_grafanas_message(start_grafana, rendered):
    second = "apiVersion: 1\ndatasources:\n  - name: Other\n    type: prometheus\n    url: http://x:9090\n    isDefault: true\n"
    grafana = start_grafana({**rendered, "/etc/grafana/provisioning/datasources/other.yaml": second})
    assert grafana.exit_code() != 0
    assert ("Datasource provisioning error: datasource.yaml config is invalid. Only one datasource per "
            "organization can be marked as default") in grafana.logs()


def test_duplicate_dashboard_uid_is_reported_and_the_provider_loses_write_access(start_grafana, rendered):
    copy = next(p for p in rendered if p.endswith(".json")).rsplit("/", 1)[0] + "/copy.json"
    grafana = start_grafana({**rendered, copy: '{"uid": "monlab-lecture", "title": "A copy"}'})
    grafana.wait_listening()
    result = poll(lambda: Outcome("finished to provision dashboards" in grafana.logs()), 30, 0.5)
    assert result.done, grafana.logs()
    logs = grafana.logs()
    assert 'msg="the same UID is used more than once" uid=monlab-lecture times=2' in logs
    assert "dashboards provisioning provider has no database write permissions because of duplicates" in logs


def test_unknown_datasource_uid_is_loaded_and_fails_when_evaluated_as_in_grafana(start_grafana, rendered):
    """Grafana's provisioning does not look datasource uids up (alerting/rules_provisioner.go,
    ngalert/provisioning/alert_rules.go); evaluation does (ngalert/eval/eval.go). So the stand-in
    stays up and the rule's health turns "error", as with real Grafana."""
    alerts = _alerts(rendered)
    rule = alerts["groups"][0]["rules"][0]
    rule["data"][0]["datasourceUid"] = "no-such-datasource"
    grafana = start_grafana(_with_alerts(rendered, alerts))
    grafana.wait_listening()
    grafana.wait_provisioned(len(_catalog_uids(rendered)))
    result = poll(lambda: Outcome(_states(grafana)[rule["title"]]["health"] == "error", _states(grafana)[rule["title"]]), 40, 1)
    assert result.done, result.value
    assert "data source not found" in result.value["lastError"]


def test_rule_state_moves_pending_then_firing_when_its_condition_holds(start_grafana, rendered):
    def rule(uid, title, expr):
        return {
            "uid": uid, "title": title, "condition": "C", "for": "20s", "noDataState": "OK", "execErrState": "Error",
            "labels": {"severity": "info"}, "annotations": {"summary": title},
            "data": [
                {"refId": "A", "relativeTimeRange": {"from": 600, "to": 0}, "datasourceUid": "monlab-prometheus",
                 "model": {"refId": "A", "expr": expr, "instant": True}},
                {"refId": "B", "relativeTimeRange": {"from": 0, "to": 0}, "datasourceUid": "__expr__",
                 "model": {"refId": "B", "type": "reduce", "expression": "A", "reducer": "last", "settings": {"mode": "dropNN"}}},
                {"refId": "C", "relativeTimeRange": {"from": 0, "to": 0}, "datasourceUid": "__expr__",
                 "model": {"refId": "C", "type": "threshold", "expression": "B",
                           "conditions": [{"evaluator": {"type": "gt", "params": [0]}}]}},
            ],
        }

    alerts = {"apiVersion": 1, "groups": [{"orgId": 1, "name": "tiny", "folder": "tests", "interval": "10s", "rules": [
        rule("always", "Always", "vector(1)"), rule("never", "Never", "vector(0)"), rule("empty", "Empty", 'up{job="none"}'),
    ]}]}
    grafana = start_grafana(_with_alerts(rendered, alerts))
    grafana.wait_listening()
    seen = []

    def probe():
        states = _states(grafana)
        always = states.get("Always", {}).get("state")
        if not seen or seen[-1] != always:
            seen.append(always)
        return Outcome(always == "firing", states)

    result = poll(probe, 60, 1)
    assert result.done, f"{seen} / {grafana.logs()[-2000:]}"
    assert "pending" in seen and seen.index("pending") < seen.index("firing"), seen
    assert result.value["Never"]["state"] == "inactive" and result.value["Never"]["health"] == "ok"
    assert result.value["Empty"]["state"] == "inactive"  # no data, noDataState OK
    firing = result.value["Always"]["alerts"][0]
    assert firing["labels"]["alertname"] == "Always" and firing["labels"]["grafana_folder"] == "tests"


def test_dashboard_whose_file_is_gone_is_deleted_unless_deletion_is_disabled(docker_client, start_grafana, rendered):
    """file_reader.go handleMissingDashboardFiles. Grafana walks only a directory that exists: if the
    provider's whole directory is gone, nothing is deleted (dashboard.go Provision), so a second
    dashboard keeps the directory present here."""
    provider_path = next(p for p in rendered if p.endswith("provisioning/dashboards/monlab.yml"))
    dashboard_path = next(p for p in rendered if p.endswith(".json"))
    other = dashboard_path.rsplit("/", 1)[0] + "/other.json"
    for disable_deletion, kept in ((False, False), (True, True)):
        provider = yaml.safe_load(rendered[provider_path])
        provider["providers"][0]["disableDeletion"] = disable_deletion
        files = {**rendered, provider_path: yaml.safe_dump(provider), other: '{"uid": "other", "title": "Other"}'}
        volume = docker_client.volumes.create(f"{PROJECT}-dash-{uuid.uuid4().hex[:6]}", labels=LABELS).name
        first = start_grafana(files, volume)
        first.wait_listening()
        first.wait_provisioned(1)
        first.remove()
        second = start_grafana({p: t for p, t in files.items() if p != dashboard_path}, volume)
        second.wait_listening()
        poll(lambda: Outcome("finished to provision dashboards" in second.logs()), 30, 0.5)
        found = second.get("/api/dashboards/uid/monlab-lecture")
        assert (found.status_code == 200) is kept, found.text
        if kept:
            assert found.json()["meta"]["provisioned"] is False


def test_grafana_keeps_its_first_admin_password(docker_client, start_grafana, rendered):
    """The admin user is created once; GF_SECURITY_ADMIN_PASSWORD on a later start changes nothing
    (what monlab's grafana-password volume label is for)."""
    volume = docker_client.volumes.create(f"{PROJECT}-pw-{uuid.uuid4().hex[:6]}", labels=LABELS).name
    first = start_grafana(rendered, volume)
    first.wait_listening()
    first.remove()
    second = start_grafana(rendered, volume, password="a-new-password")
    second.wait_listening()
    assert second.get("/api/datasources", admin=True).status_code == 200
    assert second.get("/api/datasources", auth=("admin", "a-new-password")).status_code == 401


def test_remove_leaves_a_tag_without_the_standin_label_alone(docker_client, standin_images):
    # build() and remove() look at the label: an image under a pinned tag that is not a stand-in
    # (a real pulled image) is never rebuilt over, never removed.
    from standins import is_standin

    runtime = connect()
    assert all(is_standin(runtime, s.ref) for s in STANDINS)
    assert not is_standin(runtime, "monlab/app-base:bookworm")
