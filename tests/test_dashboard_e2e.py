"""`monlab dashboard --once` finding a real offline stack on the Docker engine by its project
label, as a user runs it, and saying so in one sentence once the stack is stopped.

Its own project, torn down by label; the offline images are built by `monlab images bootstrap`."""

from __future__ import annotations

import uuid
import xml.etree.ElementTree as ElementTree

import httpx
import pytest

from monlab.catalog import load_catalog
from labelled_projects import free_offset, remove_labelled
from monlab_cli import monlab_checked as monlab

pytestmark = pytest.mark.docker


@pytest.fixture(scope="module")
def project(docker_client, offline_images):
    name = f"monlabtest-dashboard-{uuid.uuid4().hex[:8]}"
    offset = free_offset()
    try:
        monlab("up", "--offline", "--project", name, "--port-offset", str(offset))
        for _ in range(5):
            httpx.get(f"http://127.0.0.1:{5000 + offset}/", timeout=10)
        yield name
    finally:
        remove_labelled(docker_client, name)


def test_once_svg_from_the_stack_then_exit_3_when_it_is_stopped(project, tmp_path):
    svg = tmp_path / "d.svg"
    done = monlab("dashboard", "--once", "--project", project, "--svg", str(svg))
    text = "".join(ElementTree.parse(svg).getroot().itertext()).replace("\xa0", " ")
    assert f"monlab dashboard · {project}" in text
    for panel in load_catalog().panels:
        assert panel.title in text and panel.title in done.stdout, panel.title
    assert "AppDown (critical) Prometheus inactive" in done.stdout
    monlab("down", "--project", project)
    stopped = monlab("dashboard", "--once", "--project", project, check=False)
    assert stopped.returncode == 3 and "Traceback" not in stopped.stderr
    assert stopped.stderr.strip() == (f"Error: The stack {project!r} is not running (its Prometheus is exited). "
                                      f"Start it with `monlab up --project {project}`.")
