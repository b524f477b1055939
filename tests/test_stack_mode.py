"""Online or offline: the pure decision of plain `monlab up`, the registry of an image reference,
the bounded probe, and the fallback on the real engine (no registry is reachable on these machines)."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid

import pytest

from monlab.registry_probe import DOCKER_HUB, RegistryProbe, probe, registry_host
from monlab.stack.mode import choose_mode

HUB_DOWN = [RegistryProbe(DOCKER_HUB, False, "its name does not resolve")]
HUB_UP = [RegistryProbe(DOCKER_HUB, True, "connected")]


def never_probed():
    raise AssertionError("the registry must not be probed when the answer is already known")


@pytest.mark.parametrize("requested, observed, here, registries, offline, fell_back", [
    ("offline", None, False, never_probed, True, False),
    ("online", None, False, never_probed, False, False),
    ("online", "offline", False, never_probed, False, False),  # told otherwise: switch
    (None, "offline", True, never_probed, True, False),  # a stack keeps its mode
    (None, "online", False, never_probed, False, False),
    (None, None, True, never_probed, False, False),  # images here: no need to ask the registry
    (None, None, False, lambda: HUB_UP, False, False),
    (None, None, False, lambda: HUB_DOWN, True, True),
    (None, None, False, lambda: HUB_UP + [RegistryProbe("mirror.school:5000", False, "connection refused")], True, True),
])
def test_mode_decision(requested, observed, here, registries, offline, fell_back):
    choice = choose_mode(requested, observed, here, registries)
    assert (choice.offline, choice.fell_back) == (offline, fell_back)
    if fell_back:
        assert "No container registry is reachable" in choice.reason and "without Grafana" in choice.reason


@pytest.mark.parametrize("ref, host", [
    ("python:3.12-slim", DOCKER_HUB),
    ("grafana/grafana:12.4.10", DOCKER_HUB),
    ("docker.io/grafana/grafana:12.4.10", DOCKER_HUB),
    ("docker.io/library/python:3.12-slim", DOCKER_HUB),
    ("index.docker.io/library/python:3.12-slim", DOCKER_HUB),
    ("mirror.school:5000/grafana/grafana:12.4.10", "mirror.school:5000"),
    ("ghcr.io/org/img:1", "ghcr.io"),
    ("localhost/img:1", "localhost"),
])
def test_registry_of_a_reference(ref, host):
    assert registry_host(ref) == host


def test_probe_of_a_closed_local_port_is_a_quick_no():
    from conftest import free_port

    result = probe(f"127.0.0.1:{free_port()}", timeout=1.0)
    assert result.reachable is False and result.detail == "connection refused"


def test_probe_of_a_name_that_does_not_resolve_is_a_no():
    result = probe("no-such-registry.invalid", timeout=1.5)
    assert result.reachable is False


# The offline images under tags of this test's own, so that plain `up` must build them itself (as on
# a fresh machine) without touching the shared monlab/*:bookworm images.
PRIVATE_OFFLINE_TAGS = """
import monlab.project
monlab.project.OFFLINE_IMAGES.update({{"app-base": "monlab/app-base:{tag}", "prometheus": "monlab/prometheus:{tag}"}})
"""


@pytest.mark.docker
def test_plain_up_without_registry_or_any_image_builds_the_offline_stack(docker_client, monkeypatch):
    from test_online_e2e import monlab_patched
    from labelled_projects import free_offset, remove_labelled

    project, offset, tag = f"monlabtest-fallback-{uuid.uuid4().hex[:8]}", free_offset(), f"fallbacktest-{uuid.uuid4().hex[:8]}"
    patch = PRIVATE_OFFLINE_TAGS.format(tag=tag)
    # Online references that cannot be here, whatever stand-ins this machine has.
    absent = {f"MONLAB_IMAGE_{key}": f"monlab-absent-{uuid.uuid4().hex[:6]}/{key.lower()}:none"
              for key in ("APP_BASE", "PROMETHEUS", "GRAFANA")}
    args = ["up", "--project", project, "--port-offset", str(offset), "--json"]
    for key, ref in absent.items():
        monkeypatch.setenv(key, ref)
    try:
        result = monlab_patched(patch, *args)
        assert result.returncode == 0, result.stderr[-2000:]
        report = json.loads(result.stdout)
        assert report["offline"] is True and set(report["services"]) == {"app", "prometheus"}
        assert report["mode"]["fell_back"] is True
        said = " ".join(result.stderr.split())
        assert "No container registry is reachable" in said and "without Grafana" in said
        assert f"Tagged monlab/app-base:{tag}" in said and f"Tagged monlab/prometheus:{tag}" in said, "it built them"
        again = monlab_patched(patch, *args)
        assert json.loads(again.stdout)["mode"] == {"offline": True, "fell_back": False,
                                                    "reason": "the stack is offline; --online or --offline switches it"}
        forced = monlab_patched(patch, "up", "--online", "--project", project, "--port-offset", str(offset))
        assert forced.returncode == 3 and "Cannot pull" in forced.stderr, forced.stderr[-2000:]
    finally:
        remove_labelled(docker_client, project)
        for image in (f"monlab/app-base:{tag}", f"monlab/prometheus:{tag}"):
            if docker_client.images.list(name=image):
                docker_client.images.remove(image, force=True)


def test_offline_and_online_together_is_a_usage_error():
    result = subprocess.run([sys.executable, "-m", "monlab", "up", "--offline", "--online"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and "--offline" in result.stderr
