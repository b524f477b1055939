"""`monlab lab NAME --prometheus URL --app URL`: labs on a stack monlab did not start.

Against real processes (gunicorn app + Debian's prometheus, no Docker); the compose stack is
addressed the same way in test_export_compose.py.
"""

from __future__ import annotations

import json
from functools import partial

import pytest

from conftest import free_port
from lab_app_server import served_app
from lab_fixtures import local_stack
from results_schema import validate_results
from monlab.lab.model import load_labs
from monlab.lab.url_stack import NeedsDockerStack, StackUrls, UrlStack, is_url, parse_url, stack_urls
from monlab_cli import monlab as run_monlab


monlab = partial(run_monlab, columns=200)


def test_only_sections_that_stop_or_redeploy_containers_need_docker():
    assert {lab.name: lab.controls_containers for lab in load_labs()} == {
        "reliability": True, "performance": False, "capacity": False,
        "security": False, "business": False, "improvement": True,
    }


@pytest.mark.parametrize("value, expected", [
    ("http://127.0.0.1:9090", ("http://127.0.0.1:9090", None, None)),
    ("http://127.0.0.1:9090/", ("http://127.0.0.1:9090", None, None)),
    ("https://prom.example/sub/path/", ("https://prom.example/sub/path", None, None)),
    ("http://admin:s3cret@127.0.0.1:3000", ("http://127.0.0.1:3000", "admin", "s3cret")),
])
def test_parse_url(value, expected):
    assert parse_url(value, "x") == expected


@pytest.mark.parametrize("value", ["127.0.0.1:9090", "ftp://host", "http://", "http://h:99999", "http://h/?q=1", "./dir"])
def test_parse_url_refuses(value):
    with pytest.raises(ValueError):
        parse_url(value, "x")


@pytest.mark.parametrize("value, url", [("http://x", True), ("HTTPS://x", True), ("app-dir", False), ("./http", False)])
def test_app_option_is_a_url_only_with_a_scheme(value, url):
    assert is_url(value) is url


def test_grafana_credentials_come_from_its_url_and_never_stay_in_it():
    urls = stack_urls("http://127.0.0.1:1", "http://127.0.0.1:2", "http://teacher:pw@127.0.0.1:3")
    assert urls == StackUrls("http://127.0.0.1:1", "http://127.0.0.1:2", "http://127.0.0.1:3", "teacher", "pw")


def test_a_url_stack_never_stops_or_redeploys():
    stack = UrlStack(StackUrls("http://127.0.0.1:9", "http://127.0.0.1:9"))
    for action in (lambda: stack.stop_service("app"), lambda: stack.start_service("app"), stack.redeploy_app):
        with pytest.raises(NeedsDockerStack):
            action()


@pytest.mark.parametrize("args, says", [
    (["reliability", "--prometheus", "http://127.0.0.1:9", "--app", "http://127.0.0.1:9"], "needs a stack monlab runs in Docker"),
    (["improvement", "--prometheus", "http://127.0.0.1:9", "--app", "http://127.0.0.1:9"], "needs a stack monlab runs in Docker"),
    (["business", "--app", "http://127.0.0.1:9"], "needs --prometheus URL"),
    (["business", "--grafana", "http://127.0.0.1:9"], "needs --prometheus URL"),
    (["business", "--prometheus", "http://127.0.0.1:9"], "--app is the lab app's URL"),
    (["business", "--prometheus", "http://127.0.0.1:9", "--app", "somedir"], "--app is the lab app's URL"),
    (["business", "--prometheus", "127.0.0.1:9090", "--app", "http://127.0.0.1:9"], "not an http:// or https:// URL"),
])
def test_usage_errors_are_exit_2_with_one_reason(args, says):
    done = monlab("lab", *args)
    assert done.returncode == 2, done.stderr
    assert says in " ".join(done.stderr.split()) and "Traceback" not in done.stderr


def test_an_app_url_where_nothing_answers_is_an_environment_problem_and_says_why():
    port = free_port()
    done = monlab("lab", "business", "--json", "--prometheus", f"http://127.0.0.1:{port}", "--app", f"http://127.0.0.1:{port}")
    assert done.returncode == 3, done.stderr  # the stack was not usable: no check ran (issue 10's exit codes)
    report = json.loads(done.stdout)
    assert report["passed"] is False
    validate_results(report, "by-url", f"http://127.0.0.1:{port}")
    detail = report["labs"][0]["checks"][0]["detail"]
    assert "app service is not answering" in detail and "port-forward" in detail and "monlab up" not in detail


@pytest.mark.prometheus
def test_business_and_all_by_url_on_real_processes(prometheus_binary, tmp_path):
    with local_stack(prometheus_binary, tmp_path) as stack:
        urls = ["--prometheus", stack.prometheus_url, "--app", stack.app_url]
        done = monlab("lab", "business", "--json", *urls)
        assert done.returncode == 0, done.stdout + done.stderr
        validate_results(json.loads(done.stdout), "by-url", stack.prometheus_url)
        business = json.loads(done.stdout)["labs"][0]
        assert business["passed"] and business["figures"], business
        assert not any(c["passed"] is None for c in business["checks"])  # nothing skipped: it really ran

        done = monlab("lab", "all", "--json", *urls)
        validate_results(json.loads(done.stdout), "by-url", stack.prometheus_url)
        labs = {lab["name"]: lab for lab in json.loads(done.stdout)["labs"]}
        for name in ("reliability", "improvement"):
            (check,) = labs[name]["checks"]
            assert check["passed"] is None and "needs a stack monlab runs in Docker" in check["detail"]
        assert stack.actions == []  # nothing was stopped or redeployed
        assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.prometheus
def test_a_run_whose_checks_fail_is_gradable_too(prometheus_binary, tmp_path):
    """Traffic to an app this Prometheus does not scrape: the counters never move, the checks fail (exit 1),
    and the report still validates with its identity, times and the failed checks' details."""
    (tmp_path / "stack").mkdir()
    (tmp_path / "other").mkdir()
    with local_stack(prometheus_binary, tmp_path / "stack") as stack, served_app(1, tmp_path / "other") as other:
        done = monlab("lab", "business", "--json", "--prometheus", stack.prometheus_url, "--app", other.url)
    assert done.returncode == 1, done.stdout + done.stderr
    report = json.loads(done.stdout)
    validate_results(report, "by-url", stack.prometheus_url)
    failed = [c for c in report["labs"][0]["checks"] if c["passed"] is False]
    assert report["passed"] is False and any("revenue grew by exactly 100.00" in c["name"] for c in failed), failed
