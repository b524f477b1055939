"""Issue 10, bullets 2 and 3: every input a user can type gets a clear answer and the right exit code."""

import uuid

import pytest

from monlab.project import Project, http_url, parse_bind, url_host
from monlab_cli import monlab


BAD_OPTION_VALUES = [
    ("up", "--project", "Bad Name"),
    ("up", "--port-offset", "-1"),
    ("up", "--port-offset", "50001"),
    ("up", "--bind", "nope"),
    ("up", "--bind", "300.1.1.1"),
    ("status", "--project", "../x"),
    ("down", "--project", "UPPER"),
    ("teardown", "--project", ""),
    ("lab", "reliability", "--project", "a b"),
    ("load", "/", "--project", "-x"),
    ("render", "--out", "unused", "--bind", "localhost:99"),
    ("render", "--out", "unused", "--port-offset", "-5"),
    ("dashboard", "--project", "Bad X"),
    ("export", "compose", "unused", "--project", "Bad X"),
    ("export", "compose", "unused", "--bind", "nope"),
]


@pytest.mark.parametrize("args", BAD_OPTION_VALUES, ids=" ".join)
def test_bad_option_values_are_usage_errors(args):
    result = monlab(*args)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert "Invalid value" in result.stderr


@pytest.mark.parametrize("bind, host", [
    ("127.0.0.1", "127.0.0.1"), ("0.0.0.0", "127.0.0.1"), ("", "127.0.0.1"),
    ("::1", "[::1]"), ("::", "[::1]"), ("[::1]", "[::1]"), ("fe80::1", "[fe80::1]"), ("10.0.0.5", "10.0.0.5"),
])
def test_url_host_brackets_ipv6(bind, host):
    assert url_host(bind) == host


def test_every_host_url_goes_through_one_formatter():
    from monlab.serve import ServeOptions

    assert Project("p", "::1", 7).host_url("app") == "http://[::1]:5007"
    assert ServeOptions(host="::", port=5000).url == http_url("::", 5000) == "http://[::1]:5000"


@pytest.mark.parametrize("text, parsed", [("::1", "::1"), ("[::1]", "::1"), ("127.0.0.1", "127.0.0.1"), (" 0.0.0.0 ", "0.0.0.0")])
def test_parse_bind_accepts_addresses(text, parsed):
    assert parse_bind(text) == parsed


@pytest.mark.parametrize("text", ["localhost", "::1:5000:", "1.2.3", "[::1", "http://x"])
def test_parse_bind_refuses_what_is_not_an_address(text):
    with pytest.raises(ValueError, match="not an IP address"):
        parse_bind(text)


def test_render_with_an_ipv6_bind_brackets_the_grafana_links(tmp_path):
    result = monlab("render", "--out", str(tmp_path / "r"), "--bind", "::1")
    assert result.returncode == 0, result.stderr
    rules = (tmp_path / "r" / "prometheus" / "rules" / "monlab-alerts.yml").read_text()
    assert "http://[::1]:3000/" in rules and "http://::1:" not in rules


@pytest.mark.parametrize("host", ["tcp://127.0.0.1:notaport", "tcp://[::1", "ftp://x", "unix:///nonexistent.sock"])
def test_a_bad_docker_host_is_one_line_and_exit_3(host):
    result = monlab("status", env={"DOCKER_HOST": host})
    assert result.returncode == 3, result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert host in result.stderr


@pytest.mark.docker
def test_up_with_an_ipv6_bind_works_end_to_end(docker_client):
    import httpx

    from labelled_projects import free_offset, remove_labelled

    project = f"monlabtest-v6-{uuid.uuid4().hex[:8]}"
    offset = free_offset()
    try:
        result = monlab("up", "--offline", "--bind", "::1", "--project", project, "--port-offset", str(offset), "--json", timeout=300)
        assert result.returncode == 0, result.stderr
        assert "Traceback" not in result.stderr
        assert f"http://[::1]:{5000 + offset}" in result.stdout
        assert httpx.get(f"http://[::1]:{5000 + offset}/healthz", timeout=5).status_code == 200
    finally:
        remove_labelled(docker_client, project)
