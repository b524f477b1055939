"""Shared fixtures. Real things (Docker engine, Debian's prometheus/promtool) are required under
CI=true: a missing one fails the test there instead of skipping it."""

from __future__ import annotations

import os
import shutil
import socket
from pathlib import Path

import pytest

from monlab_cli import monlab_checked

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def require(condition: bool, what: str) -> None:
    if condition:
        return
    if IN_CI:
        pytest.fail(f"{what} is required under CI=true", pytrace=False)
    pytest.skip(f"{what} is not available here")


@pytest.fixture(scope="session")
def prometheus_binary() -> str:
    path = shutil.which("prometheus")
    require(path is not None, "Debian's prometheus binary")
    return path


@pytest.fixture(scope="session")
def promtool_binary() -> str:
    path = shutil.which("promtool")
    require(path is not None, "Debian's promtool")
    return path


@pytest.fixture(scope="session")
def docker_client():
    """A raw docker-py client for test setup and inspection only; monlab code gets its own runtime."""
    docker = pytest.importorskip("docker")
    try:
        client = docker.from_env()
        client.ping()
    except Exception as exc:  # any failure to reach the engine
        require(False, f"A Docker engine ({type(exc).__name__})")
    return client


@pytest.fixture(scope="module")
def offline_images(docker_client):
    """The offline images, built where missing (the stack tests' `up --offline` needs them); asked
    again per module, as a test elsewhere may have removed them."""
    result = monlab_checked("images", "bootstrap")
    for ref in ("monlab/app-base:bookworm", "monlab/prometheus:bookworm"):
        assert _has_image(docker_client, ref), result.stderr
    return True


def _has_image(client, ref):
    return bool(client.images.list(name=ref))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def labs_copy(tmp_path) -> Path:
    """A writable copy of the shipped lab files, for tests that break one on purpose."""
    from monlab.resources import labs_dir

    target = tmp_path / "labs"
    shutil.copytree(labs_dir(), target)
    return target


from standin_fixtures import standin_images  # noqa: E402,F401  (the stand-in images of the online path, for every test module)
