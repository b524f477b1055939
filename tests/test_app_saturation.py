"""Health and metrics are never queued behind the load (issue 18, Deliver 3), on the real engine:
under `monlab load`'s maximum concurrency on /simulate-load, every request is answered, the uptime
target never reads 0 and AppDown never fires; stopping the app still takes `up` to 0.

The side server's heartbeat rule (no live worker: 503) is checked on `monlab app serve` by pausing
its workers with SIGSTOP.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import uuid
from pathlib import Path

import httpx
import pytest

from conftest import free_port
from labelled_projects import free_offset, remove_labelled  # the stack tests' port search and label-only cleanup
from monlab.load import MAX_CONCURRENCY
from monlab.prometheus_api import PrometheusAPI
from monlab.waiting import Outcome, poll
from monlab_cli import monlab

LOAD_REQUESTS = 1200  # about half a minute of /simulate-load on two cores: several scrapes, many 4 s timeouts before


@pytest.mark.docker
def test_the_uptime_target_stays_up_under_the_heaviest_load(docker_client):
    assert monlab("images", "bootstrap").returncode == 0
    project = f"wt18-sat-{uuid.uuid4().hex[:8]}"
    try:
        up = monlab("up", "--offline", "--project", project, "--port-offset", str(free_offset()), "--json")
        assert up.returncode == 0, up.stderr[-2000:]
        urls = {name: service["url"] for name, service in json.loads(up.stdout)["services"].items()}
        with PrometheusAPI(urls["prometheus"]) as api:
            started = api.query_value("time()")
            load = monlab("load", "/simulate-load", "-n", str(LOAD_REQUESTS), "-c", str(MAX_CONCURRENCY),
                          "--url", urls["app"])
            assert load.returncode == 0 and f"{LOAD_REQUESTS}" in load.stdout, load.stdout + load.stderr
            window = f"{int(api.query_value('time()') - started) + 5}s"
            scrapes = api.query_value(f'count_over_time(up{{job="flask-app-uptime"}}[{window}])')
            assert scrapes >= 4, (window, load.stdout[-300:])  # several scrapes fell inside the load
            assert api.query_value(f'min_over_time(up{{job="flask-app-uptime"}}[{window}])') == 1
            assert api.query_value(f'min_over_time(up{{job="flask-app"}}[{window}])') == 1
            assert api.query(f'max_over_time(ALERTS{{alertname="AppDown"}}[{window}])') == []
            counted = 'sum(http_requests_total{endpoint="/simulate-load"})'
            assert poll(lambda: Outcome(api.query_value(counted) == LOAD_REQUESTS), timeout=30, interval=1).done  # next scrape

            [app] = docker_client.containers.list(filters={"label": [f"monlab.project={project}", "monlab.service=app"]})
            app.stop(timeout=5)  # and `up` still means "the app answers": a stopped app is down
            down = poll(lambda: Outcome(_target_health(api, "flask-app-uptime") == "down"), timeout=30, interval=1)
            assert down.done
    finally:
        remove_labelled(docker_client, project)


def _target_health(api: PrometheusAPI, job: str) -> str:
    return next((t.health for t in api.targets() if t.job == job), "missing")


def test_the_side_server_answers_while_workers_are_busy_and_503_when_none_is_alive(tmp_path):
    port, metrics_port = free_port(), free_port()
    server = subprocess.Popen([sys.executable, "-m", "monlab", "app", "serve", "--workers", "1", "--port", str(port),
                               "--metrics-port", str(metrics_port)],
                              env={**os.environ, "TMPDIR": str(tmp_path)}, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, start_new_session=True)
    healthz = f"http://127.0.0.1:{metrics_port}/healthz"
    try:
        assert poll(lambda: Outcome(_status(healthz) == 200), timeout=30, interval=0.2).done
        httpx.get(f"http://127.0.0.1:{port}/", timeout=5)
        assert "http_requests_total" in httpx.get(f"http://127.0.0.1:{metrics_port}/metrics", timeout=5).text
        [worker] = _children(server.pid)
        os.kill(worker, signal.SIGSTOP)  # alive but never answering: what a hung app looks like
        try:
            gone = poll(lambda: Outcome(_status(healthz) == 503), timeout=30, interval=0.5)
            assert gone.done and gone.elapsed >= 5  # not before its heartbeat went stale
        finally:
            os.kill(worker, signal.SIGCONT)
        assert poll(lambda: Outcome(_status(healthz) == 200), timeout=30, interval=0.2).done
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


def _status(url: str) -> int | None:
    try:
        return httpx.get(url, timeout=2).status_code
    except httpx.HTTPError:
        return None


def _children(pid: int) -> list[int]:
    """The gunicorn master is the only child of `monlab app serve`; its children are the workers."""
    def kids(parent: int) -> list[int]:
        tasks = Path(f"/proc/{parent}/task")
        return [int(p) for task in tasks.iterdir() for p in (task / "children").read_text().split()]

    [master] = poll(lambda: Outcome(len(kids(pid)) == 1, kids(pid)), timeout=10, interval=0.1).value
    return poll(lambda: Outcome(bool(kids(master)), kids(master)), timeout=10, interval=0.1).value


def test_every_export_scrapes_the_side_port_and_kubernetes_routes_it(tmp_path):
    """Prometheus' targets name a port the app serves in Docker, Compose and Kubernetes alike."""
    import yaml

    from monlab.project import APP_METRICS_PORT
    from monlab.resources import app_source_dir

    assert f"LAB_APP_METRICS_BIND=0.0.0.0:{APP_METRICS_PORT}" in (app_source_dir() / "Dockerfile").read_text()
    done = subprocess.run([sys.executable, "-m", "monlab", "export", "kubernetes", str(tmp_path / "k8s")],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    namespace = tmp_path / "k8s" / "monlab-student-1"
    documents = {d["kind"]: d for d in yaml.safe_load_all((namespace / "app.yaml").read_text())}
    service_ports = {p["port"] for p in documents["Service"]["spec"]["ports"]}
    container = documents["Deployment"]["spec"]["template"]["spec"]["containers"][0]
    assert APP_METRICS_PORT in service_ports and container["readinessProbe"]["httpGet"]["port"] == "metrics"
    config = next(d for d in yaml.safe_load_all((namespace / "prometheus.yaml").read_text())
                  if d["kind"] == "ConfigMap" and "prometheus.yml" in d["data"])
    jobs = yaml.safe_load(config["data"]["prometheus.yml"])["scrape_configs"]
    assert {t for job in jobs for c in job["static_configs"] for t in c["targets"]} == {f"app:{APP_METRICS_PORT}"}
