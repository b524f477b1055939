"""Issue 17, Deliver 4: a stack bound off loopback says what is open without a password and
prints URLs that work from other machines (not loopback)."""

from __future__ import annotations

import socket

import pytest

from monlab.stack.exposure import exposed, exposure_warning, for_other_machines, primary_address
from monlab.stackinfo import ServiceInfo, StackInfo


def info(host: str) -> StackInfo:
    ports = {"app": 5000, "prometheus": 9090, "grafana": 3000}
    return StackInfo("p", {name: ServiceInfo(name, "running", f"http://{host}:{port}") for name, port in ports.items()})


@pytest.mark.parametrize("bind, is_exposed", [("127.0.0.1", False), ("::1", False), ("127.0.0.2", False),
                                              ("0.0.0.0", True), ("::", True), ("10.1.2.3", True)])
def test_only_loopback_is_not_exposed(bind, is_exposed):
    assert exposed(bind) is is_exposed


def test_the_warning_names_what_is_open_without_a_password_and_that_grafanas_password_matters():
    said = exposure_warning("0.0.0.0", info("10.0.0.7"))
    assert "other machines" in said
    assert "Prometheus' UI and API (http://10.0.0.7:9090)" in said and "the app's routes (http://10.0.0.7:5000)" in said
    assert "without any password" in said and "admin password" in said


def test_urls_of_a_stack_on_all_interfaces_use_this_machines_address():
    shown = for_other_machines(info("127.0.0.1"), "0.0.0.0", "192.168.1.20")
    assert {s.url for s in shown.services.values()} == {
        "http://192.168.1.20:5000", "http://192.168.1.20:9090", "http://192.168.1.20:3000"}
    assert for_other_machines(info("[::1]"), "::", "fd00::5").url("app") == "http://[fd00::5]:5000"
    assert for_other_machines(info("10.0.0.7"), "10.0.0.7", "ignored").url("app") == "http://10.0.0.7:5000"


def test_the_primary_address_is_one_this_machine_can_listen_on():
    address = primary_address(socket.AF_INET)
    with socket.socket() as sock:
        sock.bind((address, 0))  # raises unless it is this machine's


@pytest.mark.docker
def test_up_on_all_interfaces_warns_and_prints_urls_other_machines_can_use(docker_client):
    import json
    import uuid

    from labelled_projects import free_offset, remove_labelled
    from monlab_cli import monlab_checked as monlab

    project, offset = f"wt17-bind-{uuid.uuid4().hex[:8]}", free_offset()
    try:
        up = monlab("up", "--offline", "--project", project, "--bind", "0.0.0.0", "--port-offset", str(offset), "--json")
        said = " ".join(up.stderr.split())
        assert "other machines can reach it" in said and "Prometheus' UI and API" in said, said[-1500:]
        urls = {name: s["url"] for name, s in json.loads(up.stdout)["services"].items()}
        host = primary_address(socket.AF_INET)
        assert urls == {"app": f"http://{host}:{5000 + offset}", "prometheus": f"http://{host}:{9090 + offset}"}
        status = monlab("status", "--project", project, "--json")
        assert json.loads(status.stdout)["services"]["app"]["url"] == urls["app"]
        assert "other machines can reach it" in status.stderr
    finally:
        remove_labelled(docker_client, project)
