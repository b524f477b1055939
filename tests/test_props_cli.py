"""Issue 10, bullet 6: generated option values at the CLI. Never a traceback; exit 2 exactly when
a value breaks the documented rules (README: project names, port offsets 0-50000, --bind an IP
address), else 0 or 3 (here the engine is unreachable on purpose, so nothing real is touched)."""

from __future__ import annotations

import ipaddress
import re
import tempfile

from hypothesis import given, settings, strategies as st
from typer.testing import CliRunner

from monlab.cli import cli
from monlab.errors import MonlabError

NO_ENGINE = {"DOCKER_HOST": "unix:///nonexistent/monlab-props.sock", "MONLAB_LOCK_WAIT": "0"}
PROJECT_RULE = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,62}$")

projects = st.one_of(st.from_regex(PROJECT_RULE, fullmatch=True), st.text(max_size=70),
                     st.sampled_from(["Bad Name", "", "-x", "a" * 64, "monlabtest-props-x", "../x", "a\nb", "abc\n"]))
offsets = st.one_of(st.integers(-10, 50010).map(str), st.integers().map(str), st.text(max_size=8),
                    st.sampled_from(["-1", "0", "50000", "50001", "1e3", "0x10", " 5"]))
binds = st.one_of(st.ip_addresses().map(str), st.text(max_size=30),
                  st.sampled_from(["::1", "[::1]", "0.0.0.0", "::", "localhost", "127.0.0.1:80", "300.1.1.1", "fe80::1%eth0"]))


def invoke(args: list[str]) -> int:
    result = CliRunner().invoke(cli, args, env=NO_ENGINE)
    if isinstance(result.exception, MonlabError):
        return 3  # what monlab.cli.main makes of it: one line, exit 3
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception  # a traceback a user would see
    return result.exit_code


def valid_project(text: str) -> bool:
    return bool(PROJECT_RULE.match(text)) and "\n" not in text


def valid_offset(text: str) -> bool:
    try:
        return 0 <= int(text) <= 50000
    except ValueError:
        return False


def valid_bind(text: str) -> bool:
    bare = text.strip()
    bare = bare[1:-1] if bare.startswith("[") and bare.endswith("]") else bare
    try:
        ipaddress.ip_address(bare)
        return True
    except ValueError:
        return False


@settings(max_examples=120, deadline=None)
@given(project=projects, bind=binds, offset=offsets)
def test_render_options(project, bind, offset):
    with tempfile.TemporaryDirectory(prefix="monlab-props-") as tmp:
        code = invoke(["render", "--out", f"{tmp}/out", "--project", project, "--bind", bind, f"--port-offset={offset}"])
    valid = valid_project(project) and valid_bind(bind) and valid_offset(offset)
    assert code == (0 if valid else 2), (project, bind, offset, code)


@settings(max_examples=80, deadline=None)
@given(command=st.sampled_from([["status"], ["down"], ["teardown"], ["lab", "business"], ["load", "/"]]), project=projects)
def test_project_option_of_every_command(command, project):
    code = invoke([*command, f"--project={project}"])
    assert code == (3 if valid_project(project) else 2), (command, project, code)


@settings(max_examples=80, deadline=None)
@given(project=projects, bind=binds, offset=offsets)
def test_up_options(project, bind, offset):
    code = invoke(["up", "--offline", f"--project={project}", f"--bind={bind}", f"--port-offset={offset}"])
    valid = valid_project(project) and valid_bind(bind) and valid_offset(offset)
    assert code == (3 if valid else 2), (project, bind, offset, code)


@settings(max_examples=60, deadline=None)
@given(count=offsets, concurrency=offsets, method=st.text(max_size=8))
def test_load_options(count, concurrency, method):
    code = invoke(["load", "/", f"--count={count}", f"--concurrency={concurrency}", f"--method={method}",
                   "--project=monlabtest-props-none"])
    assert code in (2, 3), (count, concurrency, method, code)
