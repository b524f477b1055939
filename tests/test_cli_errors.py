"""Every failure a user can cause ends in exit 3 and one line, never a traceback (real CLI, real sockets)."""

import os
import subprocess
import sys
import uuid

import pytest
from stack_sockets import listening_port
from monlab_cli import monlab


def assert_one_line_error(result, *fragments):
    assert result.returncode == 3, result.stderr
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: ")
    for fragment in fragments:
        assert fragment in lines[0]


@pytest.mark.parametrize("command", [["status"], ["up", "--offline"], ["down"], ["teardown"], ["images", "bootstrap"]])
def test_unreachable_docker_host_is_named(command):
    result = monlab(*command, env={"DOCKER_HOST": "tcp://127.0.0.1:1"})
    assert_one_line_error(result, "tcp://127.0.0.1:1", "(connection refused)", "DOCKER_HOST")


def test_missing_socket_is_named():
    result = monlab("status", env={"DOCKER_HOST": "unix:///nonexistent/monlab-test.sock"})
    assert_one_line_error(result, "unix:///nonexistent/monlab-test.sock", "(no socket there)")


@pytest.mark.parametrize("args, fragment", [
    (["up", "--project", "Not A Name"], "'Not A Name'"),
    (["up", "--port-offset", "60000"], "60000"),
    (["teardown", "--project", "-x"], "'-x'"),
])
def test_bad_options_are_usage_errors(args, fragment):
    result = monlab(*args)  # issue 10: a bad option value is a usage error, exit 2 (was 3)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert "Invalid value" in result.stderr and fragment in " ".join(result.stderr.split())


def test_json_output_is_not_polluted_by_errors():
    result = monlab("status", "--json", env={"DOCKER_HOST": "tcp://127.0.0.1:1"})
    assert result.returncode == 3 and result.stdout == ""


@pytest.mark.docker
def test_busy_port_is_named_and_nothing_is_created(docker_client):
    project = f"monlabtest-busy-{uuid.uuid4().hex[:8]}"
    with listening_port() as port:
        result = monlab("up", "--offline", "--project", project, "--port-offset", str(port - 5000))
    assert_one_line_error(result, f"Port {port}", "--port-offset")
    label = {"label": f"monlab.project={project}"}
    assert docker_client.containers.list(all=True, filters=label) == []
    assert docker_client.networks.list(filters=label) == []
    assert docker_client.volumes.list(filters=label) == []


@pytest.mark.docker
def test_status_of_a_project_without_containers(docker_client):
    project = f"monlabtest-none-{uuid.uuid4().hex[:8]}"
    assert_one_line_error(monlab("status", "--project", project), project, "monlab up")


CTRL_C_AS_IT_EXITS = """
import os as _os, signal as _signal, sys as _sys
_real_exit = _sys.exit
def _exit(code=None):
    if _sys._getframe(1).f_globals.get("__name__") == "monlab.cli":  # monlab's own exit, not click's
        _os.kill(_os.getpid(), _signal.SIGINT)  # Ctrl-C just as the finished command leaves
    _real_exit(code)
_sys.exit = _exit
"""


@pytest.mark.parametrize("args, env, code", [
    (["status"], {"DOCKER_HOST": "tcp://127.0.0.1:1"}, 3),  # the command's verdict was an error
    (["lab", "list", "--json"], {}, 0),
], ids=["failed", "succeeded"])
def test_ctrl_c_as_a_finished_command_leaves_keeps_its_exit_code(args, env, code):
    """CI once saw `images load` end by the signal (status -2) after it had loaded everything: a
    Ctrl-C during Python's shutdown. A finished command leaves with its own code."""
    from fault_injection import monlab_with

    process = monlab_with(CTRL_C_AS_IT_EXITS, *args, env={**os.environ, **env})
    out, err = process.communicate(timeout=60)
    assert process.returncode == code, (process.returncode, err[-1500:])
    assert "Traceback" not in err and "KeyboardInterrupt" not in err, err[-1500:]


CTRL_C_WHILE_LOADING = """
import builtins, runpy, sys
real_import = builtins.__import__
def ctrl_c_while_loading(name, *args, **kwargs):
    if name == "typer":  # the CLI's first heavy import: a Ctrl-C lands here on a busy machine
        raise KeyboardInterrupt
    return real_import(name, *args, **kwargs)
builtins.__import__ = ctrl_c_while_loading
if sys.argv[1] == "module":
    runpy.run_module("monlab", run_name="__main__")
else:
    from monlab.__main__ import run  # what the installed `monlab` script calls
    run()
"""


@pytest.mark.parametrize("started_as", ["module", "script"])
def test_ctrl_c_while_python_still_loads_monlab_is_exit_130_without_a_traceback(started_as):
    result = subprocess.run([sys.executable, "-c", CTRL_C_WHILE_LOADING, started_as], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 130 and "Traceback" not in result.stderr, result.stderr[-1500:]
    assert result.stderr.strip() == "Interrupted."
