"""One project switched online -> offline -> online on the real engine, with the stand-ins for the
online images (tests/standins; no registry and no Grafana can run here): each mode's Prometheus
keeps its own history in its own volume, and neither ever opens the other's TSDB."""

from __future__ import annotations

import json
import math
import time
import uuid

import httpx
import pytest

from monlab.waiting import Outcome, poll
from labelled_projects import free_offset, labelled, remove_labelled
from monlab_cli import monlab_checked as monlab

pytestmark = pytest.mark.docker


def raw_samples(prometheus_url: str, start: float, end: float) -> int:
    """How many raw scrape-health samples of the app Prometheus holds from `start` to `end` (a range
    selector returns stored samples only, no look-back to older ones)."""
    query = f'up{{job="flask-app"}}[{math.ceil(end - start) + 1}s]'
    body = httpx.get(f"{prometheus_url}/api/v1/query", params={"query": query, "time": end}, timeout=5).json()
    return sum(1 for series in body["data"]["result"] for at, _ in series["values"] if start <= float(at) <= end)


def scrape_window(prometheus_url: str) -> tuple[float, float]:
    """A span of time, starting now, in which this Prometheus stored at least one new sample."""
    start = time.time()
    found = poll(lambda: Outcome(raw_samples(prometheus_url, start, time.time()) > 0), 40, 1.0)
    assert found.done, "Prometheus stored no new sample of the app"
    return start, time.time()


def up(project: str, offset: int, *mode: str) -> dict:
    return json.loads(monlab("up", *mode, "--project", project, "--port-offset", str(offset), "--json").stdout)


def prometheus_mount(docker_client, project: str) -> list[str]:
    container = docker_client.containers.get(f"{project}-prometheus")
    return [m["Name"] for m in container.attrs["Mounts"] if m["Destination"] == "/prometheus"]


def test_online_offline_online_keeps_each_history_apart(docker_client, standin_images):
    project, offset = f"monlabtest-modes-{uuid.uuid4().hex[:8]}", free_offset()
    try:
        online = up(project, offset)
        assert set(online["services"]) == {"app", "prometheus", "grafana"} and online["offline"] is False
        url = online["services"]["prometheus"]["url"]
        assert prometheus_mount(docker_client, project) == [f"{project}-prometheus-v3-data"]
        online_span = scrape_window(url)
        password = online["grafana"]["password"]

        offline = up(project, offset, "--offline")
        assert set(offline["services"]) == {"app", "prometheus"} and offline["offline"] is True
        assert prometheus_mount(docker_client, project) == [f"{project}-prometheus-data"]
        assert raw_samples(url, *online_span) == 0, "the offline Prometheus must not see the online TSDB"
        offline_span = scrape_window(url)

        again = up(project, offset, "--online")  # a stack keeps its mode until told otherwise
        assert set(again["services"]) == {"app", "prometheus", "grafana"}
        assert prometheus_mount(docker_client, project) == [f"{project}-prometheus-v3-data"]
        assert raw_samples(url, *online_span) > 0, "the online history survived the offline spell"
        assert raw_samples(url, *offline_span) == 0, "the online Prometheus must not see the offline TSDB"
        assert again["grafana"]["password"] == password, "Grafana keeps its volume and its password"
        volumes = labelled(docker_client, project)["volumes"]
        assert sorted(volumes) == sorted([f"{project}-prometheus-v3-data", f"{project}-prometheus-data", f"{project}-grafana-data"])
    finally:
        remove_labelled(docker_client, project)
