"""Debian's real prometheus started on the rendered config: it loads every catalog alert rule, and the
uptime job is truthful against a tiny stand-in app on 127.0.0.1 (1 while it answers, 0 once it stops)."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from local_prometheus import running_prometheus
from monlab.catalog import load_catalog
from monlab.prometheus_api import PrometheusAPI
from monlab.render import RenderContext, render_stack, write_rendered
from monlab.waiting import Outcome, poll

pytestmark = pytest.mark.prometheus

EXPOSITION = "text/plain; version=0.0.4; charset=utf-8"
WAIT_SECONDS = 30


class StandInApp(BaseHTTPRequestHandler):
    """The lab app's routes that matter to Prometheus: "/" is prose, /metrics and /healthz are exposition."""

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        pages = {
            "/": ("text/html; charset=utf-8", b"Hello, DevOps Monitoring!"),
            "/metrics": (EXPOSITION, b"# TYPE http_errors_total counter\nhttp_errors_total 0\n"),
            "/healthz": (EXPOSITION, b""),
        }
        content_type, body = pages.get(self.path, ("text/plain", b"not found"))
        self.send_response(200 if self.path in pages else 404)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def app_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), StandInApp)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def prometheus(tmp_path, prometheus_binary, app_server):
    ctx = RenderContext(
        app_target=f"127.0.0.1:{app_server.server_address[1]}",
        scrape_interval="1s", scrape_timeout="1s", evaluation_interval="1s",
    )
    write_rendered(render_stack(ctx), tmp_path / "render")
    with running_prometheus(prometheus_binary, tmp_path / "render" / "prometheus" / "prometheus.yml", tmp_path) as api:
        yield api


def wait_for_value(api: PrometheusAPI, expr: str, expected: float) -> float | None:
    def probe() -> Outcome[float]:
        value = api.query_value(expr)
        return Outcome(value == expected, value)

    return poll(probe, timeout=WAIT_SECONDS, interval=0.5).value


def test_prometheus_loads_every_catalog_alert_rule(prometheus):
    assert sorted(prometheus.rule_names()) == sorted(a.name for a in load_catalog().alerts)


def test_uptime_job_is_1_while_the_app_answers_and_0_after_it_stops(prometheus, app_server):
    assert wait_for_value(prometheus, 'up{job="flask-app-uptime"}', 1) == 1
    assert wait_for_value(prometheus, 'up{job="flask-app"}', 1) == 1
    app_server.shutdown()
    app_server.server_close()
    assert wait_for_value(prometheus, 'up{job="flask-app-uptime"}', 0) == 0
