"""The ejected app directory builds into an image on the offline Debian base (Flask 2.2.2,
prometheus_client 0.16.0, gunicorn 20.1.0, no pip, no monlab) and serves the lab for real."""

from __future__ import annotations

import secrets
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from conftest import require
from lab_app_metrics import parse_exposition, requests
from monlab.app_source import copy_app_source
from monlab.images.build import OFFLINE_RECIPES, mmdebstrap_command
from monlab.project import LABEL_PROJECT, OFFLINE_IMAGES
from monlab.waiting import Outcome, poll

pytestmark = pytest.mark.docker

PROJECT = f"monlabtest-appimage-{secrets.token_hex(4)}"
LABELS = {LABEL_PROJECT: PROJECT}
SHARED_BASE = OFFLINE_IMAGES["app-base"]


def _image_exists(client, ref: str) -> bool:
    import docker

    try:
        client.images.get(ref)
        return True
    except docker.errors.ImageNotFound:
        return False


def _bootstrap_base(client, tmp_path) -> str:
    """Our own labelled copy of the offline base, so the shared tag is never created or removed here."""
    require(shutil.which("mmdebstrap") is not None, "mmdebstrap")
    recipe = next(r for r in OFFLINE_RECIPES if r.ref == SHARED_BASE)
    tar = tmp_path / "base.tar"
    subprocess.run(mmdebstrap_command(recipe, tar), check=True, capture_output=True, timeout=600)
    ref = f"{PROJECT}/app-base:bookworm"
    client.api.import_image_from_file(str(tar), repository=ref.split(":")[0], tag="bookworm",
                                      changes=[f"LABEL {LABEL_PROJECT}={PROJECT}"])
    return ref


def _remove_ours(client) -> None:
    import docker

    for container in client.containers.list(all=True, filters={"label": f"{LABEL_PROJECT}={PROJECT}"}):
        container.remove(force=True)
    for _ in range(3):  # children before parents: the app image before our base
        for image in client.images.list(filters={"label": f"{LABEL_PROJECT}={PROJECT}"}):
            try:
                client.images.remove(image.id, force=True)
            except docker.errors.APIError:
                pass


@pytest.fixture
def app_url(docker_client, tmp_path):
    try:
        base = SHARED_BASE if _image_exists(docker_client, SHARED_BASE) else _bootstrap_base(docker_client, tmp_path)
        context = tmp_path / "ejected"
        copy_app_source(context)
        image, _ = docker_client.images.build(
            path=str(context), tag=f"{PROJECT}-app:test", buildargs={"BASE_IMAGE": base},
            labels=LABELS, rm=True, forcerm=True, pull=False,
        )
        container = docker_client.containers.run(
            image.id, detach=True, name=f"{PROJECT}-app", labels=LABELS,
            ports={"5000/tcp": ("127.0.0.1", None)},
        )
        container.reload()
        host_port = container.attrs["NetworkSettings"]["Ports"]["5000/tcp"][0]["HostPort"]
        yield container, f"http://127.0.0.1:{host_port}"
    finally:
        _remove_ours(docker_client)


def _healthz_ok(url: str) -> Outcome[None]:
    try:
        return Outcome(httpx.get(f"{url}/healthz", timeout=2).status_code == 200)
    except httpx.HTTPError as exc:
        return Outcome(False, note=type(exc).__name__)


def test_image_serves_the_lab_app(app_url):
    container, url = app_url
    ready = poll(lambda: _healthz_ok(url), timeout=60, interval=0.5)
    assert ready.done, f"the app container never answered: {ready.note}\n{container.logs().decode()[-2000:]}"

    healthz = httpx.get(f"{url}/healthz")
    assert healthz.headers["content-type"].startswith("text/plain; version=0.0.4")
    assert parse_exposition(healthz.text) == {}

    with ThreadPoolExecutor(max_workers=6) as pool:
        answers = list(pool.map(lambda _: httpx.get(f"{url}/", timeout=10), range(12)))
    assert [(a.status_code, a.text) for a in answers] == [(200, "Hello, DevOps Monitoring!")] * 12
    assert httpx.post(f"{url}/purchase", data={"amount": "-inf"}).status_code == 400

    for _ in range(3):  # the image's gunicorn runs two workers: every scrape must agree
        samples = parse_exposition(httpx.get(f"{url}/metrics").text)
        assert requests(samples, "GET", "/") == 12
        assert requests(samples, "POST", "/purchase") == 1
        assert samples[("purchase_amount_total", frozenset())] == 0

    assert container.attrs["Config"]["User"] == "65534:65534"
    healthy = poll(lambda: Outcome(_health(container) == "healthy", note=_health(container)), timeout=60, interval=1)
    assert healthy.done, f"docker health is {healthy.note}"


def _health(container) -> str:
    container.reload()
    return container.attrs["State"].get("Health", {}).get("Status", "none")
