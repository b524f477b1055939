"""README's two commands on a fresh Debian 12, as a new user meets them: a container of a plain
Debian rootfs (mmdebstrap --variant=apt: no Python, no Docker CLI) that shares this machine's engine
(its socket mounted, DOCKER_HOST pointing at it) and network. `bash setup.sh && monlab up` must end
with a ready stack, and README's test command must collect the whole suite there.

The rootfs image is built once and kept under ROOTFS_IMAGE (a cache, like the offline images);
the container and the project's stack are removed at the end. About 1 minute here (+20 s to build the rootfs once).
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import sys
import tarfile
import uuid
from pathlib import Path

import pytest

from conftest import require
from monlab.prometheus_api import PrometheusAPI
from labelled_projects import free_offset, remove_labelled

pytestmark = pytest.mark.docker

ROOT = Path(__file__).resolve().parent.parent
ROOTFS_IMAGE = "monlab-test/debian-rootfs:bookworm-apt"
TEST_LABEL = "monlab.test=fresh-debian"
HOST_SOCKET = "/var/run/docker.sock"
SOCKET_INSIDE = "/run/host-docker.sock"  # not docker's own path: the docker.io package setup.sh installs must not shadow it
# What the rootfs needs from this machine to reach Debian's mirror and PyPI (test setup, not product).
# The CA bundle goes beside Debian's, which installing ca-certificates (a dependency) regenerates.
HOST_FILES = {"/etc/ssl/certs/ca-certificates.crt": "/root/host-ca.crt",
              **{str(p): str(p) for p in Path("/etc/apt/sources.list.d").glob("*.sources")},
              **{str(p): str(p) for p in Path("/etc/apt/apt.conf.d").glob("99*")}}
SECONDS = 1200


@pytest.fixture(scope="module")
def rootfs_image(docker_client) -> str:
    if docker_client.images.list(name=ROOTFS_IMAGE):
        return ROOTFS_IMAGE
    require(shutil.which("mmdebstrap") is not None, "mmdebstrap")
    debootstrap = subprocess.Popen(["mmdebstrap", "--quiet", "--variant=apt", "bookworm", "-"], stdout=subprocess.PIPE)
    imported = subprocess.run(["docker", "import", "--change", f"LABEL {TEST_LABEL}", "-", ROOTFS_IMAGE],
                              stdin=debootstrap.stdout, capture_output=True, text=True, timeout=600)
    debootstrap.wait(timeout=60)
    assert debootstrap.returncode == 0 and imported.returncode == 0, imported.stderr
    return ROOTFS_IMAGE


@pytest.fixture
def fresh_debian(docker_client, rootfs_image):
    container = docker_client.containers.run(
        rootfs_image, ["sleep", "infinity"], detach=True, network_mode="host",
        volumes={HOST_SOCKET: {"bind": SOCKET_INSIDE, "mode": "rw"}},
        labels=dict([TEST_LABEL.split("=", 1)]), name=f"wt20-fresh-debian-{uuid.uuid4().hex[:6]}",
    )
    try:
        container.exec_run(["rm", "-f", "/etc/apt/sources.list"])  # the host's sources replace mmdebstrap's
        container.put_archive("/", _tar_of_host_files(HOST_FILES))
        here = host_collection()  # of the files the container gets, taken together
        container.put_archive("/root", _tar_of_worktree("monlab"))
        yield container, here
    finally:
        container.remove(force=True)


def _tar_of_host_files(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for here, there in files.items():
            tar.add(here, arcname=there.lstrip("/"))
    return buffer.getvalue()


def _tar_of_worktree(top: str) -> bytes:
    """The repository's files as a clone would have them (tracked and new, without ignored ones)."""
    listed = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=ROOT,
                            capture_output=True, check=True).stdout.decode().split("\0")
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for name in filter(None, listed):
            if (ROOT / name).is_file():
                tar.add(ROOT / name, arcname=f"{top}/{name}")
    return buffer.getvalue()


def in_container(container, script: str) -> subprocess.CompletedProcess:
    """`script` in bash at the repository's top, as root, with this machine's CA bundle for pip."""
    return subprocess.run(
        ["docker", "exec", "-w", "/root/monlab", "-e", f"DOCKER_HOST=unix://{SOCKET_INSIDE}",
         "-e", "PIP_CERT=/root/host-ca.crt", container.name, "bash", "-c", script],
        capture_output=True, text=True, timeout=SECONDS,
    )


def readme_first_command() -> str:
    readme = (ROOT / "README.md").read_text()
    first = re.search(r"```bash\n(.+?)\s+#", readme).group(1).strip()
    assert first == "bash setup.sh && monlab up", first
    return first


def readme_test_command() -> str:
    return subprocess.run(["bash", ".ci/test-command"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()


def host_collection() -> int:
    here = subprocess.run([sys.executable, "-m", "pytest", "-q", "--collect-only", "-p", "no:cacheprovider"],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    return collected(here.stdout)


def collected(output: str) -> int:
    found = re.search(r"(\d+) tests? collected", output)
    assert found, output[-2000:]
    return int(found.group(1))


def test_readme_commands_on_a_plain_debian_rootfs(docker_client, fresh_debian):
    fresh_debian, collected_here = fresh_debian
    project, offset = f"wt20-fresh-{uuid.uuid4().hex[:6]}", free_offset()
    bare = in_container(fresh_debian, "command -v python3 python docker monlab || true")
    assert bare.stdout.strip() == "", f"the rootfs is not plain: {bare.stdout}"
    try:
        up = in_container(fresh_debian, f"{readme_first_command()} --project {project} --port-offset {offset}")
        assert up.returncode == 0, (up.stdout + up.stderr)[-3000:]
        targets = PrometheusAPI(f"http://127.0.0.1:{9090 + offset}").targets()
        assert any(t.job == "flask-app" and t.health == "up" for t in targets), targets

        test_command = readme_test_command()
        setup_tests = in_container(fresh_debian, "bash setup.sh --test")
        assert setup_tests.returncode == 0, (setup_tests.stdout + setup_tests.stderr)[-3000:]
        inside = in_container(fresh_debian, f"{test_command} --collect-only -p no:cacheprovider")
        assert inside.returncode == 0, (inside.stdout + inside.stderr)[-3000:]
        assert collected(inside.stdout) == collected_here, "the whole suite, as on this machine"
    finally:
        remove_labelled(docker_client, project)
