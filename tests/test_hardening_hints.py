"""Issue 10, bullet 5: hints carry the stack's own options (read from its labels), so copying one works."""

import re
import shlex
import subprocess
import sys
import uuid

import pytest

from monlab.lab.hints import for_stack
from monlab.project import Project, status_command, up_command


@pytest.mark.parametrize("project, offline, command", [
    (Project(), False, "monlab up"),
    (Project(), True, "monlab up --offline"),
    (Project("p", "127.0.0.1", 7), True, "monlab up --offline --project p --port-offset 7"),
    (Project("x", "::1", 0), False, "monlab up --project x --bind ::1"),
    (Project("x", "0.0.0.0", 10), False, "monlab up --project x --bind 0.0.0.0 --port-offset 10"),
])
def test_up_command_table(project, offline, command):
    assert up_command(project, offline) == command


def test_bare_hints_get_the_stacks_options():
    hint = "Run `monlab status`; start the stack with `monlab up`."
    assert for_stack(hint, "monlab up --offline --project p", status_command("p")) == (
        "Run `monlab status --project p`; start the stack with `monlab up --offline --project p`.")


@pytest.mark.docker
def test_a_lab_on_a_stopped_app_hints_the_exact_up_that_repairs_it(docker_client):
    from test_stack_e2e import free_offset, remove_labelled

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
