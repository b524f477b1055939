"""`monlab doctor`: each check's verdict from what it sees (tables over a scripted engine), and the
command on the real engine and with no engine at all."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from monlab.docker_runtime import ContainerRecord
from monlab.doctor import checks_engine, checks_images
from monlab.doctor.model import FAIL, OK, WARN, DoctorContext, Verdict
from monlab.doctor.registry import CHECKS
from monlab.doctor.run import up_can_succeed
from monlab.engine import DOCKER, PODMAN, EngineFacts
from monlab.image_refs import resolve
from monlab.project import OFFLINE_IMAGES, ONLINE_IMAGES, Project
from monlab.registry_probe import DOCKER_HUB, RegistryProbe


class ScriptedEngine:
    """The few engine answers the checks read: which images exist, which containers are labelled."""

    address = "unix:///var/run/docker.sock"

    def __init__(self, images=(), containers=(), facts=EngineFacts(DOCKER, "28.2.2", "1.50")):
        self.images, self.records, self.facts = set(images), list(containers), facts
        self.dns: dict[str, bool] = {}  # network name -> names resolve; a network not listed does not exist

    def image_id(self, ref):
        return f"sha256:{ref}" if ref in self.images else None

    def containers(self, label):
        key, _, value = label.partition("=")
        return [r for r in self.records if key in r.labels and (not value or r.labels[key] == value)]

    def engine_facts(self):
        return self.facts

    def network_dns(self, name):
        return self.dns.get(name)


def context(engine, registries=(RegistryProbe(DOCKER_HUB, False, "its name does not resolve"),)):
    ctx = DoctorContext(Project("p"), resolve(environ={}), engine)
    ctx._registries = list(registries)
    return ctx


UP = (RegistryProbe(DOCKER_HUB, True, "connected"),)


def stack_of_mode(mode: str | None) -> list[ContainerRecord]:
    return [ContainerRecord("1", "p-app", "running", {"monlab.project": "p", "monlab.mode": mode}, "i")] if mode else []


@pytest.mark.parametrize("images, registries, mmdebstrap, stack, status", [
    (ONLINE_IMAGES.values(), (), False, None, OK),  # nothing to pull
    ((), UP, False, None, OK),
    (OFFLINE_IMAGES.values(), (), False, None, WARN),  # up falls back
    ((), (), True, None, WARN),  # up builds the offline images, then falls back
    ((), (), False, None, FAIL),  # no registry, no offline images, no way to build them
    (OFFLINE_IMAGES.values(), (), True, "offline", WARN),  # an offline stack needs no registry
    # An online stack stays online (up never falls back for it): an online image gone means up cannot run.
    ([*OFFLINE_IMAGES.values(), *list(ONLINE_IMAGES.values())[1:]], (), True, "online", FAIL),
    ([*OFFLINE_IMAGES.values(), *ONLINE_IMAGES.values()], (), True, "online", OK),
    ((), UP, True, "online", OK),  # up pulls what is missing
])
def test_registry_verdict(monkeypatch, images, registries, mmdebstrap, stack, status):
    monkeypatch.setattr(checks_images.shutil, "which", lambda name: "/usr/bin/mmdebstrap" if mmdebstrap else None)
    down = (RegistryProbe(DOCKER_HUB, False, "its name does not resolve"),)
    verdict = checks_images.registry(context(ScriptedEngine(images, stack_of_mode(stack)), registries or down))
    assert verdict.status == status
    assert bool(verdict.fix) == (status != OK)


def test_offline_images_say_how_to_build_them():
    assert checks_images.offline_images(context(ScriptedEngine(OFFLINE_IMAGES.values()))).status == OK
    missing = checks_images.offline_images(context(ScriptedEngine()))
    assert missing.status == WARN and missing.fix == "monlab images bootstrap"


def test_stack_and_other_projects_from_labels():
    records = [
        ContainerRecord("1", "p-app", "running", {"monlab.project": "p", "monlab.mode": "offline"}, "i"),
        ContainerRecord("2", "p-prometheus", "exited", {"monlab.project": "p", "monlab.mode": "offline"}, "i"),
        ContainerRecord("3", "q-app", "running", {"monlab.project": "q", "monlab.mode": "online"}, "i"),
    ]
    ctx = context(ScriptedEngine(containers=records))
    assert checks_engine.stack(ctx).detail == "project 'p': offline stack, 1 of 2 containers running"
    assert checks_engine.other_projects(ctx).detail == "other monlab projects here: q"
    assert "no stack yet" in checks_engine.stack(context(ScriptedEngine())).detail


def test_engine_verdict_names_version_or_the_failure():
    assert "Docker 28.2.2 (API 1.50)" in checks_engine.engine(context(ScriptedEngine())).detail
    down = DoctorContext(Project("p"), resolve(environ={}), None, "Cannot reach the Docker engine at unix:///x (no socket there)")
    verdict = checks_engine.engine(down)
    assert verdict.status == FAIL and "no socket there" in verdict.detail and "DOCKER_HOST" in verdict.fix


def test_engine_verdict_names_podman_and_how_to_start_its_service(monkeypatch):
    podman = EngineFacts(PODMAN, "4.3.1", "1.41", short_names_load_as="localhost/")
    assert checks_engine.engine(context(ScriptedEngine(facts=podman))).detail.startswith("Podman 4.3.1 (API 1.41) at ")
    monkeypatch.setenv("DOCKER_HOST", "unix:///run/podman/podman.sock")
    down = DoctorContext(Project("p"), resolve(environ={}), None, "Cannot reach the Docker engine at unix:///run/podman/podman.sock")
    assert "podman system service --time=0 unix:///run/podman/podman.sock" in checks_engine.engine(down).fix


@pytest.mark.parametrize("facts, status, says", [
    (EngineFacts(DOCKER, "28.2.2", "1.50"), OK, "the engine is Docker"),
    (EngineFacts(PODMAN, "4.3.1", "1.41"), OK, "Podman 4.3.1, rootful"),
    (EngineFacts(PODMAN, "4.3.1", "1.41", rootless=True), OK, "rootless Podman: ports 5000, 9090, 3000"),
])
def test_podman_verdict(monkeypatch, facts, status, says):
    monkeypatch.setattr(checks_engine, "has_subuids", lambda user: True)
    monkeypatch.setattr(checks_engine, "unprivileged_port_start", lambda: 1024)
    verdict = checks_engine.podman(context(ScriptedEngine(facts=facts)))
    assert verdict.status == status and says in verdict.detail, verdict


def test_a_podman_network_without_dns_fails_with_the_package_to_install():
    engine = ScriptedEngine(facts=EngineFacts(PODMAN, "4.3.1", "1.41"))
    engine.dns["p-net"] = False
    verdict = checks_engine.podman(context(engine))
    assert verdict.status == FAIL and "cannot find each other by name" in verdict.detail
    assert "golang-github-containernetworking-plugin-dnsname" in verdict.fix and "teardown --project p" in verdict.fix
    engine.dns["p-net"] = True
    assert checks_engine.podman(context(engine)).status == OK


@pytest.mark.parametrize("ports, start, subuids, status, says", [
    ([5000, 9090, 3000], 1024, True, OK, "at or above 1024"),
    ([5000, 9090, 3000], 4000, True, FAIL, "below 4000: 3000"),
    ([5000, 9090, 3000], 1024, False, FAIL, "subordinate uids"),
])
def test_rootless_verdict(ports, start, subuids, status, says):
    verdict = checks_engine.rootless_verdict(ports, start, subuids)
    assert verdict.status == status and says in verdict.detail
    assert (verdict.fix != "") is (status == FAIL)


def test_a_rootless_engine_belongs_to_its_sockets_owner(tmp_path):
    import getpass
    import pwd

    from conftest import require

    require(os.geteuid() == 0, "root (to give a file to another user)")
    socket = tmp_path / "podman.sock"
    socket.write_text("")
    os.chown(socket, 65534, -1)
    assert checks_engine.socket_owner(f"unix://{socket}") == pwd.getpwuid(65534).pw_name
    assert checks_engine.socket_owner("unix:///nonexistent/podman.sock") == getpass.getuser()


def test_subuids_and_port_start_are_read_from_their_files(tmp_path):
    (tmp_path / "subuid").write_text("alice:100000:65536\nbob:165536:65536\n")
    (tmp_path / "start").write_text("1024\n")
    assert checks_engine.has_subuids("bob", str(tmp_path / "subuid"))
    assert not checks_engine.has_subuids("carol", str(tmp_path / "subuid"))
    assert not checks_engine.has_subuids("bob", str(tmp_path / "missing"))
    assert checks_engine.unprivileged_port_start(str(tmp_path / "start")) == 1024


@pytest.mark.parametrize("statuses, can", [((OK, WARN, OK), True), ((OK, FAIL), False), ((), True)])
def test_up_can_succeed_unless_something_failed(statuses, can):
    assert up_can_succeed({str(i): Verdict(s, "d") for i, s in enumerate(statuses)}) is can


def doctor(*args, env=None):
    return subprocess.run([sys.executable, "-m", "monlab", "doctor", *args], capture_output=True, text=True,
                          timeout=60, env={**os.environ, **(env or {})})


@pytest.mark.docker
def test_doctor_on_this_machine_lists_every_check_and_passes(docker_client):
    from labelled_projects import free_offset

    result = doctor("--json", "--project", "monlabtest-doctor", "--port-offset", str(free_offset()))
    report = json.loads(result.stdout)
    assert [c["check"] for c in report["checks"]] == list(CHECKS)
    assert report["up_can_succeed"] is True and result.returncode == 0, result.stdout
    by_name = {c["check"]: c for c in report["checks"]}
    assert by_name["docker engine"]["status"] == OK and "API" in by_name["docker engine"]["detail"]


@pytest.mark.parametrize("host, words", [("unix:///nonexistent/docker.sock", "no socket there"),
                                         ("tcp://127.0.0.1:1", "connection refused")])
def test_without_an_engine_doctor_exits_3_naming_it_and_the_fix(host, words):
    result = doctor("--port-offset", "31000", env={"DOCKER_HOST": host})
    assert result.returncode == 3 and "Traceback" not in result.stderr
    first = result.stdout.splitlines()[0]
    assert first.startswith("fail docker engine:") and host in first and words in first
    assert "DOCKER_HOST" in result.stdout


@pytest.mark.parametrize("error, points_at_doctor", [
    ("DockerUnavailable", True),
    ("PortInUse", True),
    ("offline image missing", True),
    ("no registry", True),
    ("tag missing", False),
    ("rate limited", False),
    ("ConfigError", False),
    ("ServiceError", False),
])
def test_errors_point_at_doctor_only_where_it_adds_something(error, points_at_doctor):
    from monlab import errors
    from monlab.cli import error_line
    from monlab.pull_errors import pull_error

    made = {
        "DockerUnavailable": lambda: errors.DockerUnavailable("Cannot reach the Docker engine", "Start Docker."),
        "PortInUse": lambda: errors.PortInUse("Port 5000 is in use", "Pick --port-offset."),
        "offline image missing": lambda: errors.ImageUnavailable("The offline image x is missing", "Run bootstrap."),
        "no registry": lambda: pull_error("python:3.12-slim", "dial tcp: lookup registry-1.docker.io: no such host"),
        "tag missing": lambda: pull_error("python:3.99", "manifest for python:3.99 not found: manifest unknown"),
        "rate limited": lambda: pull_error("python:3.12-slim", "toomanyrequests: You have reached your pull rate limit"),
        "ConfigError": lambda: errors.ConfigError("labs/x.yaml: steps[0]: unknown kind"),
        "ServiceError": lambda: errors.ServiceError("Prometheus answered 500"),
    }[error]()
    line = error_line(made)
    assert line.endswith("Run `monlab doctor` for details.") is points_at_doctor
    assert "\n" not in line


def test_a_dead_engine_from_any_command_points_at_doctor():
    result = subprocess.run([sys.executable, "-m", "monlab", "status"], capture_output=True, text=True, timeout=60,
                            env={**os.environ, "DOCKER_HOST": "unix:///nonexistent/docker.sock"})
    assert result.returncode == 3
    assert result.stderr.strip().endswith("Run `monlab doctor` for details.") and "Traceback" not in result.stderr
