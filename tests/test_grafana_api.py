"""GrafanaAPI against a small fake Grafana over real HTTP on 127.0.0.1.

Grafana cannot run on these machines (no Debian package, no registry), so the fake serves canned
responses shaped like Grafana 12's: /api/health without login, /api/search and the Prometheus-style
rules API only with the right basic-auth login (401 otherwise, as Grafana does).
"""

from __future__ import annotations

import base64
import json
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, urlparse

import pytest

from monlab.errors import ServiceError
from monlab.grafana_api import GrafanaAPI
from conftest import free_port
from threaded_http import serving, url_of

USER, PASSWORD = "admin", "s3cret-generated"

HEALTH = {"commit": "0a1b2c3", "database": "ok", "version": "12.4.0"}
SEARCH = [
    {"id": 1, "uid": "monlab-lecture", "orgId": 1, "title": "DevOps Monitoring Lecture",
     "uri": "db/devops-monitoring-lecture", "url": "/d/monlab-lecture/devops-monitoring-lecture",
     "slug": "", "type": "dash-db", "tags": ["lecture", "monlab"], "isStarred": False,
     "folderUid": "af1", "folderTitle": "monlab", "folderUrl": "/dashboards/f/af1/"},
]
RULES = {
    "status": "success",
    "data": {
        "groups": [
            {"name": "monlab-lecture", "file": "monlab", "folderUid": "af1", "interval": 10,
             "rules": [
                 {"state": "firing", "name": "AppDown", "query": "[...]", "health": "ok", "type": "alerting",
                  "labels": {"severity": "critical"}, "alerts": [{"state": "Alerting"}], "lastEvaluation": "2026-11-25T07:00:00Z"},
                 {"state": "inactive", "name": "HighLatency", "query": "[...]", "health": "nodata", "type": "alerting",
                  "lastEvaluation": "2026-11-25T07:00:00Z"},
                 {"state": "pending", "name": "HighRequestRate", "query": "[...]", "health": "ok", "type": "alerting",
                  "lastEvaluation": "2026-11-25T07:00:00Z"},
             ]},
        ],
        "totals": {"firing": 1, "inactive": 1, "pending": 1},
    },
}


class FakeGrafana(BaseHTTPRequestHandler):
    health_body: bytes = json.dumps(HEALTH).encode()

    def log_message(self, *args: object) -> None:
        pass

    def _send(self, status: int, body: bytes, content_type: str = "application/json") -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _logged_in(self) -> bool:
        expected = "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
        return self.headers.get("Authorization") == expected

    def do_GET(self) -> None:
        url = urlparse(self.path)
        if url.path == "/api/health":
            return self._send(200, self.server.health_body)  # type: ignore[attr-defined]
        if not self._logged_in():
            return self._send(401, b'{"message":"Invalid username or password"}')
        if url.path == "/api/search" and parse_qs(url.query).get("type") == ["dash-db"]:
            return self._send(200, json.dumps(SEARCH).encode())
        if url.path == "/api/prometheus/grafana/api/v1/rules":
            return self._send(200, json.dumps(self.server.rules).encode())  # type: ignore[attr-defined]
        provisioned = self.server.provisioned  # type: ignore[attr-defined]
        if url.path == "/api/datasources/uid/monlab-prometheus/health" and "datasource" in provisioned:
            status, body = provisioned["datasource"]
            return self._send(status, json.dumps(body).encode())
        if url.path == "/api/dashboards/uid/monlab-lecture" and provisioned.get("dashboard"):
            return self._send(200, json.dumps({"dashboard": {"uid": "monlab-lecture"}, "meta": {"provisioned": True}}).encode())
        if url.path == "/api/v1/provisioning/alert-rules":
            return self._send(200, json.dumps([{"uid": uid, "title": uid} for uid in provisioned.get("rules", [])]).encode())
        self._send(404, b'{"message":"Not found"}')


@pytest.fixture
def grafana_url():
    with serving(FakeGrafana) as server:
        server.health_body = json.dumps(HEALTH).encode()
        server.provisioned = {}  # what file provisioning has loaded so far; tests fill it in
        server.rules = RULES
        yield url_of(server), server


def test_health_needs_no_login(grafana_url):
    url, _ = grafana_url
    with GrafanaAPI(url, password="wrong") as api:
        health = api.health()
    assert health.ok and health.version == "12.4.0"


def test_health_not_ok_while_database_migrates(grafana_url):
    url, server = grafana_url
    server.health_body = json.dumps({"database": "failing", "version": "12.4.0"}).encode()
    with GrafanaAPI(url) as api:
        assert api.health().ok is False
        assert api.is_healthy() is False


def test_dashboards_with_login(grafana_url):
    url, _ = grafana_url
    with GrafanaAPI(url, USER, PASSWORD) as api:
        dashboards = api.dashboards()
    assert [(d.uid, d.title, d.folder) for d in dashboards] == [("monlab-lecture", "DevOps Monitoring Lecture", "monlab")]
    assert dashboards[0].url == "/d/monlab-lecture/devops-monitoring-lecture"


def test_alert_rule_states_by_title(grafana_url):
    url, _ = grafana_url
    with GrafanaAPI(url, USER, PASSWORD) as api:
        states = api.alert_rule_states()
    assert states == {"AppDown": "firing", "HighLatency": "inactive", "HighRequestRate": "pending"}


def test_wrong_password_is_a_clear_service_error(grafana_url):
    url, _ = grafana_url
    with GrafanaAPI(url, USER, "admin") as api, pytest.raises(ServiceError) as caught:
        api.dashboards()
    assert "refused the login" in caught.value.one_line()
    assert "monlab status" in caught.value.one_line()


def test_unknown_path_and_non_json_are_service_errors(grafana_url):
    url, server = grafana_url
    server.health_body = b"<html>starting</html>"
    with GrafanaAPI(url, USER, PASSWORD) as api:
        with pytest.raises(ServiceError, match="not JSON"):
            api.health()
        with pytest.raises(ServiceError, match="404"):
            api.get_json("/api/nothing-here")


def test_nothing_listening_is_a_service_error_not_a_traceback():
    with GrafanaAPI(f"http://127.0.0.1:{free_port()}", timeout=2) as api:
        with pytest.raises(ServiceError, match="did not answer"):
            api.dashboards()
        assert api.is_healthy() is False


# Grafana 12 answers /api/health before file provisioning has run; `up` waits on what it needs instead.
DATASOURCE_OK = (200, {"status": "OK", "message": "Successfully queried the Prometheus API."})
DATASOURCE_DOWN = (400, {"status": "ERROR", "message": "Post \"http://prometheus:9090/api/v1/query\": dial tcp: lookup prometheus: no such host"})
EXPECTED_RULES = frozenset({"monlab-appdown-0a1b2c3d4e5f", "monlab-highlatency-1a2b3c4d5e6f"})


@pytest.mark.parametrize("provisioned, ready, missing", [
    ({}, False, ["datasource monlab-prometheus (no datasource", "dashboard monlab-lecture", "2 alert rule(s)"]),
    ({"datasource": DATASOURCE_DOWN, "dashboard": True, "rules": sorted(EXPECTED_RULES)}, False, ["no such host"]),
    ({"datasource": DATASOURCE_OK, "dashboard": True, "rules": ["monlab-appdown-0a1b2c3d4e5f"]}, False,
     ["1 alert rule(s) monlab-highlatency-1a2b3c4d5e6f"]),
    ({"datasource": DATASOURCE_OK, "dashboard": False, "rules": sorted(EXPECTED_RULES)}, False, ["the dashboard monlab-lecture"]),
    ({"datasource": DATASOURCE_OK, "dashboard": True, "rules": sorted(EXPECTED_RULES) + ["someone-elses"]}, True, []),
])
def test_provisioning_probe_names_what_grafana_still_lacks(grafana_url, provisioned, ready, missing):
    from monlab.stack.readiness import GrafanaExpected, ProvisioningProbe

    url, server = grafana_url
    server.provisioned = provisioned
    expected = GrafanaExpected(PASSWORD, "monlab-prometheus", "monlab-lecture", EXPECTED_RULES)
    with GrafanaAPI(url, USER, PASSWORD) as api:
        probe = ProvisioningProbe(api, expected)
        assert probe() is ready
    for words in missing:
        assert words in probe.missing
    assert (probe.missing == "") is ready


def test_provisioning_probe_reports_a_refused_login_as_missing(grafana_url):
    from monlab.stack.readiness import GrafanaExpected, ProvisioningProbe

    url, server = grafana_url
    server.provisioned = {"datasource": DATASOURCE_OK, "dashboard": True, "rules": sorted(EXPECTED_RULES)}
    with GrafanaAPI(url, USER, "old-volume-password") as api:
        probe = ProvisioningProbe(api, GrafanaExpected("x", "monlab-prometheus", "monlab-lecture", EXPECTED_RULES))
        assert probe() is False
    assert "refused the login" in probe.missing


def test_provisioning_probe_calls_a_rule_broken_once_two_evaluations_in_a_row_failed(grafana_url):
    from monlab.stack.readiness import GrafanaExpected, ProvisioningProbe

    url, server = grafana_url
    server.provisioned = {"datasource": DATASOURCE_OK, "dashboard": True, "rules": sorted(EXPECTED_RULES)}

    def rules(health, evaluated, error="failed to build query 'A': data source not found"):
        rule = {"state": "inactive", "name": "AppDown", "health": health, "type": "alerting",
                "lastError": error if health == "error" else "", "lastEvaluation": evaluated}
        return {"status": "success", "data": {"groups": [{"name": "monlab-lecture", "rules": [rule]}]}}

    with GrafanaAPI(url, USER, PASSWORD) as api:
        probe = ProvisioningProbe(api, GrafanaExpected(PASSWORD, "monlab-prometheus", "monlab-lecture", EXPECTED_RULES))
        looks = [
            (rules("error", "T1", "connection refused"), ""),  # Prometheus still starting: not yet broken
            (rules("error", "T1", "connection refused"), ""),  # the same evaluation seen again
            (rules("ok", "T2"), ""),  # recovered: the count starts over
            (rules("error", "T3"), ""),
            (rules("error", "T4"), "alert rule 'AppDown' fails to evaluate (failed to build query 'A': data source not found)"),
        ]
        for body, broken in looks:
            server.rules = body
            probe()
            assert probe.broken == broken


def test_provisioning_probe_waits_for_a_first_evaluation_of_every_rule(grafana_url):
    from monlab.stack.readiness import GrafanaExpected, ProvisioningProbe

    url, server = grafana_url
    server.provisioned = {"datasource": DATASOURCE_OK, "dashboard": True, "rules": sorted(EXPECTED_RULES)}
    fresh = {"state": "inactive", "name": "AppDown", "health": "ok", "lastEvaluation": "0001-01-01T00:00:00Z"}
    server.rules = {"status": "success", "data": {"groups": [{"name": "monlab-lecture", "rules": [fresh]}]}}
    with GrafanaAPI(url, USER, PASSWORD) as api:
        probe = ProvisioningProbe(api, GrafanaExpected(PASSWORD, "monlab-prometheus", "monlab-lecture", EXPECTED_RULES))
        assert probe() is False
        assert probe.missing == "a first good evaluation of AppDown"
        server.rules = RULES
        assert probe() is True
