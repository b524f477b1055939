"""Issue 10, bullet 5: hints carry the stack's own options (read from its labels), so copying one works."""

import json
import re
import shlex
import subprocess
import sys
import uuid

import pytest

from monlab.image_refs import decode_overrides, encode_overrides, recorded
from monlab.project import Project, up_command


@pytest.mark.parametrize("project, offline, command", [
    (Project(), False, "monlab up"),
    (Project(), True, "monlab up --offline"),
    (Project("p", "127.0.0.1", 7), True, "monlab up --offline --project p --port-offset 7"),
    (Project("x", "::1", 0), False, "monlab up --project x --bind ::1"),
    (Project("x", "0.0.0.0", 10), False, "monlab up --project x --bind 0.0.0.0 --port-offset 10"),
])
def test_up_command_table(project, offline, command):
    assert up_command(project, offline) == command


@pytest.mark.parametrize("overrides, command", [
    ({}, "monlab up --project p"),
    ({"grafana": "reg.example:5000/grafana/grafana:12.4.9"}, "monlab up --project p --image grafana=reg.example:5000/grafana/grafana:12.4.9"),
    ({"prometheus": "mirror/prom:v3", "app-base": "python:3.12-slim@sha256:" + "a" * 64},
     "monlab up --project p --image app-base=python:3.12-slim@sha256:" + "a" * 64 + " --image prometheus=mirror/prom:v3"),
])
def test_up_command_carries_image_overrides_in_key_order(overrides, command):
    assert up_command(Project("p"), False, overrides) == command
    assert shlex.split(command) == command.split(), "copyable without quoting"


@pytest.mark.parametrize("overrides", [{}, {"grafana": "g/g:1"}, {"app-base": "a:1", "prometheus": "localhost:5000/p/q:2"}])
def test_recorded_overrides_read_back_as_written(overrides):
    assert decode_overrides(encode_overrides(overrides)) == overrides
    assert recorded(overrides).overrides == overrides


def test_a_tampered_overrides_label_drops_what_is_not_an_override():
    assert decode_overrides("grafana=g/g:1,nosuch=x:1,prometheus=NOT A REF,=,,") == {"grafana": "g/g:1"}


@pytest.mark.docker
def test_a_lab_on_a_stopped_app_hints_the_exact_up_that_repairs_it(docker_client):
    from labelled_projects import free_offset, remove_labelled

    project = f"monlabtest-hint-{uuid.uuid4().hex[:8]}"
    offset = free_offset()
    run = lambda *args: subprocess.run([sys.executable, "-m", "monlab", *args], capture_output=True, text=True, timeout=300)
    try:
        up = run("up", "--offline", "--project", project, "--port-offset", str(offset))
        assert up.returncode == 0, up.stderr
        docker_client.containers.get(f"{project}-app").stop(timeout=5)
        lab = run("lab", "business", "--project", project)
        assert lab.returncode == 3, lab.stdout + lab.stderr
        wanted = f"monlab up --offline --project {project} --port-offset {offset}"
        text = " ".join((lab.stdout + lab.stderr).split())
        assert wanted in text, text[-1500:]
        copied = shlex.split(re.search(r"`(monlab up[^`]*)`", text).group(1))
        again = run(*copied[1:])
        assert again.returncode == 0, again.stderr
        assert docker_client.containers.get(f"{project}-app").status == "running"
    finally:
        remove_labelled(docker_client, project)


@pytest.mark.docker
def test_an_online_stack_made_with_image_overrides_hints_an_up_that_keeps_them(docker_client, standin_images):
    """On the stand-ins (tests/standins): Prometheus given by `--image` under a tag of this test's own."""
    from labelled_projects import free_offset, remove_labelled

    project, offset = f"monlabtest-hintimg-{uuid.uuid4().hex[:8]}", free_offset()
    override = f"monlabtest/prometheus-override:{uuid.uuid4().hex[:8]}"
    docker_client.images.get(standin_images["prometheus"]).tag(override)
    run = lambda *args: subprocess.run([sys.executable, "-m", "monlab", *args], capture_output=True, text=True, timeout=300)
    try:
        up = run("up", "--project", project, "--port-offset", str(offset), "--image", f"prometheus={override}")
        assert up.returncode == 0, up.stderr[-2000:]
        assert override in docker_client.containers.get(f"{project}-prometheus").image.tags
        docker_client.containers.get(f"{project}-app").stop(timeout=5)
        lab = run("lab", "business", "--project", project)
        assert lab.returncode == 3, lab.stdout + lab.stderr
        text = " ".join((lab.stdout + lab.stderr).split())
        assert f"monlab up --project {project} --port-offset {offset} --image prometheus={override}" in text, text[-1500:]
        copied = shlex.split(re.search(r"`(monlab up[^`]*)`", text).group(1))
        again = run(*copied[1:], "--json")
        assert again.returncode == 0, again.stderr[-2000:]
        actions = json.loads(again.stdout)["actions"]
        assert "recreate prometheus" not in actions and "recreate grafana" not in actions, \
            f"following the hint keeps the stack as it was made, not swapped for the pins: {actions}"
        assert override in docker_client.containers.get(f"{project}-prometheus").image.tags
        assert docker_client.containers.get(f"{project}-app").status == "running"
    finally:
        remove_labelled(docker_client, project)
        docker_client.images.remove(override)
