"""The stack on a real Docker engine, offline images, one shared test project.

Every resource is found and removed by this test's own `monlab.project` label; nothing else is touched.
"""

import json
import shutil
import uuid

import pytest

from monlab.prometheus_api import PrometheusAPI
from monlab.stack.control import open_stack
from monlab.waiting import Outcome, poll
from labelled_projects import free_offset, labelled, remove_labelled
from monlab_cli import monlab_checked as monlab

pytestmark = pytest.mark.docker


def wait_value(api, expr, wanted, timeout=40):
    result = poll(lambda: Outcome(_value(api, expr) == wanted, _value(api, expr)), timeout, 1.0)
    assert result.done, f"{expr} stayed {result.value}, wanted {wanted}"


def _value(api, expr):
    return api.query_value(expr)


@pytest.fixture(scope="module")
def stack(docker_client, offline_images):
    project = f"monlabtest-stack-{uuid.uuid4().hex[:8]}"
    offset = free_offset()
    try:
        up = monlab("up", "--offline", "--project", project, "--port-offset", str(offset), "--json")
        yield {"project": project, "offset": offset, "up": json.loads(up.stdout)}
    finally:
        remove_labelled(docker_client, project)


def container_ids(client, project):
    label = {"label": f"monlab.project={project}"}
    return {c.labels["monlab.service"]: c.id for c in client.containers.list(all=True, filters=label)}


def test_up_offline_runs_app_and_prometheus_and_says_grafana_is_unavailable(stack, docker_client):
    report = stack["up"]
    assert report["offline"] is True
    assert set(report["services"]) == {"app", "prometheus"}
    assert all(s["state"] == "running" for s in report["services"].values())
    assert report["services"]["prometheus"]["url"] == f"http://127.0.0.1:{9090 + stack['offset']}"
    assert any("Grafana is unavailable offline" in note for note in report["notes"])
    names = labelled(docker_client, stack["project"])
    assert sorted(names["containers"]) == [f"{stack['project']}-app", f"{stack['project']}-prometheus"]
    assert names["networks"] == [f"{stack['project']}-net"]
    assert names["volumes"] == [f"{stack['project']}-prometheus-data"]
    for container in docker_client.containers.list(filters={"label": f"monlab.project={stack['project']}"}):
        assert all(m["Type"] == "volume" for m in container.attrs["Mounts"]), "no host bind mounts"


def test_prometheus_scrapes_both_app_jobs(stack):
    with PrometheusAPI(stack["up"]["services"]["prometheus"]["url"]) as api:
        wait_value(api, 'up{job="flask-app"}', 1)
        wait_value(api, 'up{job="flask-app-uptime"}', 1)
        status = monlab("status", "--project", stack["project"], "--json")
    targets = {t["job"]: t["health"] for t in json.loads(status.stdout)["targets"]}
    assert targets == {"flask-app": "up", "flask-app-uptime": "up"}


def test_second_up_replaces_nothing(stack, docker_client):
    before = container_ids(docker_client, stack["project"])
    again = monlab("up", "--offline", "--project", stack["project"], "--port-offset", str(stack["offset"]), "--json")
    assert json.loads(again.stdout)["actions"] == ["keep app", "keep prometheus"]
    assert container_ids(docker_client, stack["project"]) == before


def test_uptime_job_follows_the_app_container(stack):
    control = open_stack(stack["project"])
    with PrometheusAPI(control.info().url("prometheus")) as api:
        control.stop_service("app")
        assert control.info().services["app"].state == "exited"
        wait_value(api, 'up{job="flask-app-uptime"}', 0)
        control.start_service("app")
        assert control.info().services["app"].running
        wait_value(api, 'up{job="flask-app-uptime"}', 1)


def test_a_stopped_container_is_converged_by_up(stack, docker_client):
    control = open_stack(stack["project"])
    before = container_ids(docker_client, stack["project"])
    control.stop_service("prometheus")
    again = monlab("up", "--offline", "--project", stack["project"], "--port-offset", str(stack["offset"]), "--json")
    assert json.loads(again.stdout)["actions"] == ["keep app", "start prometheus"]
    assert container_ids(docker_client, stack["project"]) == before


def test_redeploy_app_recreates_only_the_app(stack, docker_client, tmp_path):
    from monlab.resources import app_source_dir

    source = tmp_path / "app"
    shutil.copytree(app_source_dir(), source)
    (source / "REDEPLOYED").write_text("a change, so the image differs\n")
    before = container_ids(docker_client, stack["project"])
    open_stack(stack["project"]).redeploy_app(source)
    after = container_ids(docker_client, stack["project"])
    assert after["prometheus"] == before["prometheus"]
    assert after["app"] != before["app"]
    assert docker_client.containers.get(after["app"]).status == "running"


def test_down_then_up_keeps_history(stack, docker_client):
    url = stack["up"]["services"]["prometheus"]["url"]
    count = 'count_over_time(up{job="flask-app"}[1h])'
    with PrometheusAPI(url) as api:
        before = api.query_value(count)
    assert before and before >= 2
    monlab("down", "--project", stack["project"])
    assert all(c.status == "exited" for c in docker_client.containers.list(
        all=True, filters={"label": f"monlab.project={stack['project']}"}))
    stopped = json.loads(monlab("status", "--json", "--project", stack["project"]).stdout)["services"]
    assert stopped["app"] == {**stopped["app"], "state": "exited", "health": ""}, "no stale health for a stopped app"
    monlab("up", "--offline", "--project", stack["project"], "--port-offset", str(stack["offset"]))
    with PrometheusAPI(url) as api:
        assert api.query_value(count) >= before


def test_teardown_removes_only_what_carries_the_label(stack, docker_client):
    project = stack["project"]
    foreign = docker_client.containers.create(
        "monlab/app-base:bookworm", ["sleep", "60"], name=f"{project}-foreign",
        labels={"monlabtest.owner": project, "monlab.service": "app"},
    )
    try:
        monlab("teardown", "--project", project)
        assert labelled(docker_client, project) == {"containers": [], "networks": [], "volumes": [], "images": []}
        assert docker_client.containers.get(foreign.id).name == f"{project}-foreign"
    finally:
        foreign.remove(force=True)


def test_failed_up_removes_what_it_created_and_shows_the_logs(docker_client, offline_images, tmp_path):
    project = f"monlabtest-broken-{uuid.uuid4().hex[:8]}"
    app = tmp_path / "broken-app"
    app.mkdir()
    (app / "Dockerfile").write_text(
        "ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\nCMD [\"sh\", \"-c\", \"echo broken-app-says-bye; exit 3\"]\n")
    try:
        result = monlab("up", "--offline", "--project", project, "--port-offset", str(free_offset()), "--app", str(app), check=False)
        assert result.returncode == 3, result.stderr
        assert "Traceback" not in result.stderr
        assert "broken-app-says-bye" in result.stderr
        assert "app" in result.stderr and "exit code 3" in result.stderr
        left = labelled(docker_client, project)
        assert left["containers"] == [] and left["networks"] == []
        assert left["volumes"] == [f"{project}-prometheus-data"], "data volumes are kept"
    finally:
        remove_labelled(docker_client, project)


def test_an_image_that_cannot_be_pulled_says_what_to_do(docker_client):
    from monlab.docker_runtime import connect
    from monlab.errors import ImageUnavailable

    ref = f"monlab/surely-not-published-{uuid.uuid4().hex[:8]}:never"
    with pytest.raises(ImageUnavailable) as caught:
        connect().pull(ref, lambda chunk: None)
    assert ref in caught.value.one_line() and "--offline" in caught.value.one_line()


def test_offline_up_without_images_says_bootstrap(docker_client, monkeypatch):
    """Checked on the real engine with an offline tag that cannot exist."""
    from monlab.docker_runtime import connect
    from monlab.errors import ImageUnavailable
    from monlab.project import OFFLINE_IMAGES
    from monlab.stack.up import QuietReporter, obtain_images

    refs = {**OFFLINE_IMAGES, "prometheus": f"monlab/prometheus:missing-{uuid.uuid4().hex[:8]}"}
    with pytest.raises(ImageUnavailable) as caught:
        obtain_images(connect(), refs, True, ["app-base", "prometheus"], QuietReporter())
    assert "monlab images bootstrap" in caught.value.one_line()
