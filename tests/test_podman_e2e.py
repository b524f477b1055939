"""monlab on Podman, rootful, through its Docker-compatible service (`DOCKER_HOST` at its socket):
`images load` of a tar saved from Docker, `up --offline`, `lab all`, `status`, `doctor`, `down`,
`teardown`. The service is started here and stopped at the end; the machine needs .ci/podman-setup
(runc and small rlimits). Everything the test made in Podman's storage is removed: the project by
its label, the loaded images by their exact references. About 3 minutes here.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import signal
import subprocess
import tarfile
import uuid

import pytest

from conftest import require
from monlab.docker_runtime import connect
from monlab.images.archive import check_archive
from monlab.image_refs import normalized
from monlab.project import OFFLINE_IMAGES
from monlab.waiting import Outcome, poll
from labelled_projects import free_offset, labelled, remove_labelled
from monlab_cli import monlab

pytestmark = pytest.mark.docker

SERVICE_SECONDS = 30


@pytest.fixture(scope="module")
def podman_host(tmp_path_factory):
    """DOCKER_HOST of a `podman system service` started for this module, and a docker-py client on it."""
    import docker

    require(shutil.which("podman") is not None, "podman (.ci/podman-setup)")
    socket = tmp_path_factory.mktemp("wt20-podman") / "podman.sock"
    address = f"unix://{socket}"
    service = subprocess.Popen(["podman", "system", "service", "--time=0", address],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    try:
        answered = poll(lambda: _client(docker, address), SERVICE_SECONDS, 0.2)
        assert answered.done, f"podman system service did not answer at {address}"
        yield address, answered.value
    finally:
        os.killpg(service.pid, signal.SIGTERM)
        service.wait(timeout=30)


def _client(docker, address: str) -> Outcome:
    try:
        client = docker.DockerClient(base_url=address, timeout=120)
        # answered /version and /info once too: Podman's first /info sets up its storage, which can take
        # longer than doctor's 2 s engine probe on a busy machine
        return Outcome(client.ping() and bool(client.version()) and bool(client.info()), client)
    except docker.errors.DockerException:  # not listening yet
        return Outcome(False)


@pytest.fixture(scope="module")
def offline_archive(docker_client, tmp_path_factory):
    """The offline images as `monlab images save` writes them, from the Docker engine that has them."""
    for ref in OFFLINE_IMAGES.values():
        require(bool(docker_client.images.list(name=ref)), f"{ref} on the Docker engine (monlab images bootstrap)")
    path = tmp_path_factory.mktemp("wt20-archive") / "offline.tar"
    saved = subprocess.run(["docker", "save", "-o", str(path), *OFFLINE_IMAGES.values()], capture_output=True, text=True, timeout=300)
    assert saved.returncode == 0, saved.stderr
    return path


def remove_loaded(client, archive_tags: list[str]) -> None:
    """The images a test loaded into Podman, under every name Podman or monlab gave them."""
    for tag in archive_tags:
        for ref in {tag, normalized(tag), f"localhost/{tag}"}:
            if client.images.list(name=ref):
                client.images.remove(ref, force=True)


def test_offline_stack_on_podman(podman_host, offline_archive):
    address, client = podman_host
    env = {"DOCKER_HOST": address}
    project, offset = f"wt20-podman-{uuid.uuid4().hex[:6]}", free_offset()
    archive_tags = check_archive(offline_archive, set(OFFLINE_IMAGES.values()))
    try:
        loaded = monlab("images", "load", str(offline_archive), env=env)
        assert loaded.returncode == 0, loaded.stderr[-2000:]
        for ref in OFFLINE_IMAGES.values():  # found by the reference monlab uses, and fully qualified
            assert client.images.get(ref).id == client.images.get(normalized(ref)).id

        doctor = json.loads(monlab("doctor", "--json", "--project", project, "--port-offset", str(offset), env=env).stdout)
        checks = {c["check"]: c for c in doctor["checks"]}
        assert checks["docker engine"]["detail"].startswith("Podman "), checks["docker engine"]
        assert checks["podman"]["status"] == "ok" and "rootful" in checks["podman"]["detail"]

        up = monlab("up", "--offline", "--project", project, "--port-offset", str(offset), "--json", env=env)
        assert up.returncode == 0, up.stderr[-3000:]
        labs = monlab("lab", "all", "--json", "--project", project, env=env)
        report = json.loads(labs.stdout)
        failed = [(lab["name"], c) for lab in report["labs"] for c in lab["checks"] if c["passed"] is False]
        assert labs.returncode == 0 and report["passed"] is True, failed

        status = json.loads(monlab("status", "--json", "--project", project, env=env).stdout)
        assert [status["services"][name]["state"] for name in ("app", "prometheus")] == ["running", "running"], status
        down = monlab("down", "--project", project, env=env)
        assert down.returncode == 0, down.stderr[-2000:]
        assert {c.status for c in client.containers.list(all=True, filters={"label": f"monlab.project={project}"})} == {"exited"}

        assert_teardown_leaves_nothing(client, project, env)
    finally:
        remove_labelled(client, project)
        remove_loaded(client, archive_tags)


def assert_teardown_leaves_nothing(client, project: str, env: dict) -> None:
    teardown = monlab("teardown", "--project", project, env=env)
    assert teardown.returncode == 0, teardown.stderr[-2000:]
    assert labelled(client, project) == {"containers": [], "networks": [], "volumes": [], "images": []}


def test_an_imported_image_gets_its_tag_on_podman(podman_host, tmp_path, monkeypatch):
    """`images bootstrap` imports its rootfs tars; Podman 4.3's compat import ignores a separate tag."""
    address, client = podman_host
    monkeypatch.setenv("DOCKER_HOST", address)
    rootfs = tmp_path / "rootfs.tar"
    with tarfile.open(rootfs, "w") as tar:
        info = tarfile.TarInfo("hello.txt")
        info.size = 3
        tar.addfile(info, io.BytesIO(b"hi\n"))
    repository = f"wt20-import-{uuid.uuid4().hex[:6]}"
    try:
        image_id = connect().import_image(rootfs, repository, "bookworm", ["LABEL monlab.image=offline"])
        assert client.images.get(f"{repository}:bookworm").id == image_id
        assert client.images.get(image_id).labels == {"monlab.image": "offline"}
    finally:
        for image in client.images.list(name=repository):
            client.images.remove(image.id, force=True)


def test_online_stack_of_standins_on_podman(podman_host, standin_images, tmp_path):
    """The online path on Podman: the stand-ins (tests/standins, NOT the real images) carried over by
    `images load`, then `up` finds them by their fully qualified pins and starts all three services.
    (`lab all` on this stack passed by hand here too, in 108 s; CI keeps to up, status, teardown.)"""
    address, client = podman_host
    env = {"DOCKER_HOST": address}
    archive = tmp_path / "standins.tar"
    saved = subprocess.run(["docker", "save", "-o", str(archive), *standin_images.values()], capture_output=True, text=True, timeout=300)
    assert saved.returncode == 0, saved.stderr
    archive_tags = check_archive(archive, set(standin_images.values()))
    project, offset = f"wt20-podman-online-{uuid.uuid4().hex[:6]}", free_offset()
    try:
        loaded = monlab("images", "load", str(archive), env=env)
        assert loaded.returncode == 0, loaded.stderr[-2000:]
        up = monlab("up", "--project", project, "--port-offset", str(offset), "--json", env=env)
        assert up.returncode == 0, up.stderr[-3000:]
        assert json.loads(up.stdout)["offline"] is False
        status = json.loads(monlab("status", "--json", "--project", project, env=env).stdout)
        assert {name: s["state"] for name, s in status["services"].items()} == dict.fromkeys(("app", "prometheus", "grafana"), "running")
        assert [t["health"] for t in status["targets"] if t["job"] == "flask-app"] == ["up"], status["targets"]
        assert_teardown_leaves_nothing(client, project, env)
    finally:
        remove_labelled(client, project)
        remove_loaded(client, archive_tags)


def test_doctor_reads_whether_a_podman_network_resolves_names(podman_host, monkeypatch):
    address, client = podman_host
    monkeypatch.setenv("DOCKER_HOST", address)
    name = f"wt20-dns-{uuid.uuid4().hex[:6]}"
    runtime = connect()
    try:
        assert runtime.network_dns(name) is None
        client.networks.create(name, driver="bridge")
        assert runtime.network_dns(name) is True  # the dnsname plugin .ci/podman-setup installs
        client.networks.get(name).remove()
        made = subprocess.run(["podman", "network", "create", "--disable-dns", name], capture_output=True, text=True, timeout=60)
        assert made.returncode == 0, made.stderr
        assert runtime.network_dns(name) is False
    finally:
        for network in client.networks.list(names=[name]):
            network.remove()
