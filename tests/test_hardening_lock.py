"""Issue 10, bullet 1: one command at a time per project (no engine needed: the lock is taken
before Docker is contacted)."""

import os
import subprocess
import sys
import textwrap
import uuid

import pytest

from monlab.stack.lock import ProjectBusy, lock_path, project_lock
from monlab_cli import monlab


def hold_lock(project: str, engine: str):
    """Another process holding the project's lock as `monlab up` would; returns it once it holds."""
    code = textwrap.dedent(f"""
        import sys, time
        from monlab.stack.lock import project_lock
        with project_lock({engine!r}, {project!r}, "up --offline", wait=0):
            print("held", flush=True)
            time.sleep(30)
    """)
    holder = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"
    return holder


@pytest.mark.parametrize("command", [["down"], ["teardown"], ["up", "--offline"], ["lab", "reliability"]])
def test_second_command_on_a_busy_project_refuses_naming_the_holder(command):
    project = f"monlabtest-lock-{uuid.uuid4().hex[:8]}"
    engine = os.environ.get("DOCKER_HOST") or "unix:///var/run/docker.sock"
    holder = hold_lock(project, engine)
    try:
        result = monlab(*command, "--project", project, env={"MONLAB_LOCK_WAIT": "0.5"})
    finally:
        holder.kill()
        holder.wait()
        monlab("teardown", "--project", project)  # should the lock ever fail to refuse, nothing stays behind
    assert result.returncode == 3, result.stderr
    assert f"`monlab up --offline` (PID {holder.pid})" in result.stderr
    assert "Traceback" not in result.stderr
    waiting, refusal = result.stderr.strip().splitlines()  # what it waits for at once, then one error
    assert waiting == f"Waiting for `monlab up --offline` (PID {holder.pid}) to finish with project {project!r} (up to 0.5 s)"
    assert refusal.startswith("Error: ") and "is busy" in refusal


def test_lock_is_per_project_and_per_engine(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))
    with project_lock("unix:///a", "p1", "up", wait=0):
        with project_lock("unix:///a", "p2", "up", wait=0):
            with project_lock("tcp://other:2375", "p1", "up", wait=0):
                pass
    assert lock_path("unix:///a", "p1") != lock_path("unix:///a", "p2") != lock_path("tcp://b", "p1")


def test_waiting_is_bounded_and_a_dead_holder_frees_the_project(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))
    holder = hold_lock("p", "unix:///x")
    try:
        with pytest.raises(ProjectBusy, match=f"PID {holder.pid}"):
            with project_lock("unix:///x", "p", "down", wait=0.3):
                pass
    finally:
        holder.kill()
        holder.wait()
    with project_lock("unix:///x", "p", "down", wait=2):
        pass


def test_odd_project_names_stay_inside_the_lock_directory(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))
    assert lock_path("unix:///x", "../../etc/passwd").parent == tmp_path / "monlab"
