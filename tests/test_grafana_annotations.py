"""Restarts marked in Grafana: monlab's client posts an annotation on the lecture dashboard, and the
Grafana stand-in (tests/standins/grafana, NOT Grafana: it mirrors pkg/api/annotations.go) keeps and
lists it as Grafana does. The stand-in's HTTP server runs in this process; the section runs on real
processes (lab_fixtures.LocalStack: gunicorn and Debian's prometheus)."""

from __future__ import annotations

import sys
from pathlib import Path

import httpx
import pytest

from lab_fixtures import local_stack
from monlab.errors import ServiceError
from monlab.grafana_api import GrafanaAPI
from monlab.render import DASHBOARD_UID
from test_lab_kinds import custom, failures, run
from threaded_http import serving, url_of

sys.path.insert(0, str(Path(__file__).parent / "standins" / "grafana"))

from standin_grafana.api import Context, handler_class  # noqa: E402
from standin_grafana.evaluate import StateManager  # noqa: E402
from standin_grafana.store import Store  # noqa: E402

PASSWORD = "annotate-me"


@pytest.fixture
def standin(tmp_path):
    """The stand-in's API over HTTP, with the lecture dashboard (id 7) as provisioning leaves it."""
    store = Store(str(tmp_path))
    store.data["admin"] = {"login": "admin", "password": PASSWORD}
    store.data["dashboards"][DASHBOARD_UID] = {"uid": DASHBOARD_UID, "id": 7, "title": "Lecture", "version": 1,
                                               "folderUid": "", "dashboard": {"uid": DASHBOARD_UID}}
    settings = {"anonymous": True, "anonymous_role": "Viewer", "root_url": "http://localhost:3000/"}
    with serving(handler_class(Context(store, StateManager(), settings))) as server:
        yield url_of(server), store


def test_an_annotation_posted_by_uid_is_listed_on_that_dashboard_newest_first(standin):
    url, _ = standin
    with GrafanaAPI(url, password=PASSWORD) as api:
        first = api.add_annotation(DASHBOARD_UID, "stopped", ["monlab", "restart"], 1_700_000_000_000)
        second = api.add_annotation(DASHBOARD_UID, "started", ["monlab", "restart", "start"], 1_700_000_060_000)
        listed = api.annotations(DASHBOARD_UID)
        started_only = api.annotations(DASHBOARD_UID, tags=("restart", "start"))
    assert [a["id"] for a in listed] == [second, first]
    newest = listed[0]
    assert (newest["dashboardUID"], newest["dashboardId"], newest["time"], newest["timeEnd"]) == \
        (DASHBOARD_UID, 7, 1_700_000_060_000, 1_700_000_060_000)  # timeEnd 0 becomes time (xorm_store)
    assert newest["text"] == "started" and newest["tags"] == ["monlab", "restart", "start"]
    assert [a["id"] for a in started_only] == [second]


def _post(url: str, body, auth=("admin", PASSWORD)) -> httpx.Response:
    content = body if isinstance(body, bytes) else None
    return httpx.post(f"{url}/api/annotations", json=None if content else body, content=content, auth=auth, timeout=5)


@pytest.mark.parametrize("body, auth, status, message", [
    ({"dashboardUID": DASHBOARD_UID, "text": ""}, ("admin", PASSWORD), 400, "Failed to save annotation"),
    (b"{not json", ("admin", PASSWORD), 400, "bad request data"),
    ({"text": "x", "time": "soon"}, ("admin", PASSWORD), 400, "bad request data"),
    ({"text": "x"}, ("admin", "wrong"), 401, "Invalid username or password"),
    ({"text": "x"}, None, 403, "You'll need additional permissions to perform this action."),  # anonymous Viewer
])
def test_posts_grafana_refuses_answer_as_it_does(standin, body, auth, status, message):
    url, store = standin
    answer = _post(url, body, auth)
    assert (answer.status_code, answer.json()["message"]) == (status, message)
    assert store.data["annotations"] == []


def test_an_unknown_dashboard_uid_makes_an_organisation_annotation_and_cannot_be_listed(standin):
    url, _ = standin
    answer = _post(url, {"dashboardUID": "no-such", "text": "x", "time": 5})
    assert answer.json() == {"message": "Annotation added", "id": 1}
    listed = httpx.get(f"{url}/api/annotations", timeout=5).json()
    assert [(a["dashboardId"], a["dashboardUID"]) for a in listed] == [(0, None)]
    refused = httpx.get(f"{url}/api/annotations", params={"dashboardUID": "no-such"}, timeout=5)
    assert (refused.status_code, refused.json()["message"]) == (400, "Invalid dashboard UID in annotation request")


def test_the_client_turns_a_refusal_into_a_service_error(standin):
    url, _ = standin
    with GrafanaAPI(url, password=PASSWORD) as api, pytest.raises(ServiceError, match="400"):
        api.add_annotation(DASHBOARD_UID, "", ["monlab"], 1)


@pytest.fixture(scope="module")
def stack(prometheus_binary, tmp_path_factory):
    with local_stack(prometheus_binary, tmp_path_factory.mktemp("annotations")) as running:
        yield running


STOP_START = """\
    - stop: app
    - start: app
    - expect: {panel: app-uptime, op: "==", value: 1}
    """


@pytest.mark.prometheus
def test_a_section_that_restarts_the_app_marks_it_on_the_lecture_dashboard(stack, standin, tmp_path):
    from monlab.lab.cli_support import grafana_hooks

    url, _ = standin
    stack.grafana = (url, PASSWORD)
    try:
        result, out = run(stack, custom(tmp_path, "reliability", STOP_START), grafana=grafana_hooks)
    finally:
        stack.grafana = None
    assert result.passed, failures(result)
    with GrafanaAPI(url, password=PASSWORD) as api:
        [mark] = api.annotations(DASHBOARD_UID, tags=("monlab", "restart"))
    assert mark["tags"] == ["monlab", "restart", "start", "section-4"]
    assert mark["text"].startswith("monlab lab §4 ") and "started the app container again" in mark["text"]
    assert "not marked in Grafana" not in out


@pytest.mark.prometheus
def test_a_refused_annotation_is_a_note_and_the_section_still_passes(stack, standin, tmp_path):
    from monlab.lab.cli_support import grafana_hooks

    url, store = standin
    stack.grafana = (url, "not-the-password")
    try:
        result, out = run(stack, custom(tmp_path, "reliability", STOP_START), grafana=grafana_hooks)
    finally:
        stack.grafana = None
    assert result.passed, failures(result)
    assert "the restart is not marked in Grafana: Grafana at" in out and "refused the login" in out
    assert store.data["annotations"] == []
