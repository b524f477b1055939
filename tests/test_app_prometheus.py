"""A real Prometheus (Debian's binary) scrapes the served app every second: the lecture's queries of
§4–§8 return finite data, and the uptime job is up exactly while the app answers."""

from __future__ import annotations

import math
from typing import Callable

import httpx
import pytest

from lab_app_server import served_app
from local_prometheus import running_prometheus
from monlab.catalog import load_catalog
from monlab.prometheus_api import PrometheusAPI
from monlab.waiting import Outcome, poll

pytestmark = pytest.mark.prometheus

UPTIME = 'up{job="flask-app-uptime"}'
TRAFFIC_ENDPOINTS = {"/", "/simulate-load", "/simulate-error", "/login", "/purchase"}  # what some_traffic visits

CONFIG = """\
global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: flask-app
    metrics_path: /metrics
    static_configs:
      - targets: ['127.0.0.1:{port}']
  - job_name: flask-app-uptime
    metrics_path: /healthz
    static_configs:
      - targets: ['127.0.0.1:{port}']
"""


@pytest.fixture
def served(tmp_path):
    (tmp_path / "serve").mkdir()
    with served_app(2, tmp_path / "serve") as app:
        yield app


@pytest.fixture
def prometheus(prometheus_binary, served, tmp_path):
    config = tmp_path / "prometheus.yml"
    config.write_text(CONFIG.replace("{port}", str(served.port)))
    with running_prometheus(prometheus_binary, config, tmp_path) as api:
        yield api


def lecture_queries() -> list[str]:
    queries = [p.expr for p in load_catalog().panels if p.lecture]
    assert UPTIME in queries and len(queries) >= 6
    return queries


def some_traffic(url: str) -> None:
    with httpx.Client(base_url=url, timeout=30) as http:
        http.get("/")
        http.get("/simulate-load")
        http.get("/simulate-error")
        http.post("/login", data={"password": "wrong"})
        http.post("/login", data={"password": "secret"})
        http.post("/purchase", data={"amount": "9.5"})


def after_traffic(url: str, look: Callable[[], Outcome]) -> Callable[[], Outcome]:
    """A probe that sends one small batch of traffic, then looks: bounded by the poll that runs it."""
    def probe() -> Outcome:
        some_traffic(url)
        return look()
    return probe


def finite_results(api: PrometheusAPI, queries: list[str]) -> Outcome[dict]:
    seen = {q: [s.value for s in api.query(q)] for q in queries}
    done = all(values and all(math.isfinite(v) for v in values) for values in seen.values())
    return Outcome(done, seen, f"{seen}")


def test_lecture_queries_return_finite_data(served, prometheus):
    queries = lecture_queries()
    result = poll(after_traffic(served.url, lambda: finite_results(prometheus, queries)), timeout=60, interval=1.0)
    assert result.done, f"not every lecture query returned finite data: {result.note}"
    assert prometheus.query_value(UPTIME) == 1
    # Finite can come first as an increase of 0: two scrapes that both saw the first purchase.
    # Traffic goes on until a scrape sees the counters move; a broken counter never does.
    moved = poll(after_traffic(served.url, lambda: counters_moved(prometheus)), timeout=30, interval=1.0)
    assert moved.done, moved.note


def counters_moved(api: PrometheusAPI) -> Outcome[None]:
    purchased = api.query_value("increase(purchase_amount_total[1h])") or 0
    failed_logins = api.query_value('rate(login_attempts_total{status="failure"}[5m])') or 0
    endpoints = {s.labels.get("endpoint") for s in api.query("sum(rate(http_requests_total[1m])) by (endpoint)")}
    done = purchased > 0 and failed_logins > 0 and endpoints == TRAFFIC_ENDPOINTS
    return Outcome(done, None, f"purchases {purchased}, failed logins/s {failed_logins}, endpoints {sorted(map(str, endpoints))}")


def test_uptime_job_is_up_exactly_while_the_app_answers(served, prometheus):
    up = poll(lambda: Outcome(prometheus.query_value(UPTIME) == 1), timeout=30, interval=0.5)
    assert up.done, "the uptime job never scraped /healthz successfully"
    assert served.interrupt() == 0
    down = poll(lambda: Outcome(prometheus.query_value(UPTIME) == 0), timeout=30, interval=0.5)
    assert down.done, "up stayed 1 after the app stopped"
