"""A local lab stack (tests/lab_fixtures.py) with some of every lecture section's traffic, and
Prometheus holding data for every catalog panel: what the dashboard and report tests look at."""

from __future__ import annotations

import math

import httpx
import pytest

from lab_fixtures import local_stack
from monlab.catalog import load_catalog
from monlab.dashboard.data import fetch_snapshot
from monlab.prometheus_api import PrometheusAPI
from monlab.waiting import Outcome, poll


def send_lecture_traffic(app_url: str) -> None:
    with httpx.Client(base_url=app_url, timeout=10) as client:
        for _ in range(10):
            client.get("/")
        for _ in range(3):
            client.get("/simulate-load")
        for _ in range(4):
            client.post("/login", data={"username": "admin", "password": "guess"})
        client.post("/login", data={"username": "admin", "password": "secret"})
        client.post("/purchase", data={"amount": "12.50"})


def every_panel_has_data(api: PrometheusAPI) -> Outcome:
    snapshot = fetch_snapshot(api, list(load_catalog().sections), "5m")
    empty = [p.panel.id for p in snapshot.panels
             if not any(math.isfinite(v) for line in p.lines for v in line.values)]
    return Outcome(not empty, snapshot if not empty else empty)


@pytest.fixture(scope="module")
def stack(prometheus_binary, tmp_path_factory):
    with local_stack(prometheus_binary, tmp_path_factory.mktemp("dashboard")) as running:
        send_lecture_traffic(running.app_url)
        with PrometheusAPI(running.prometheus_url) as api:
            ready = poll(lambda: every_panel_has_data(api), timeout=40, interval=0.5)
            assert ready.done, f"panels still without data: {ready.value}"
            history = poll(lambda: Outcome((api.query_value('count_over_time(up{job="flask-app"}[1m])') or 0) >= 20),
                           timeout=40, interval=0.5)
            assert history.done, "prometheus did not collect 20 s of samples"
        yield running
