"""A lab stack made of real processes instead of containers, for the lab engine's tests.

The app runs under gunicorn on a free loopback port (started, stopped and redeployed from a source
directory for real); Debian's prometheus scrapes it every second with the catalog's alert rules,
evaluated every second. LocalStack implements StackControl on them.
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import signal
import subprocess
import textwrap
from pathlib import Path
from typing import Iterator

import httpx
import pytest
from rich.console import Console

from conftest import free_port
from local_prometheus import running_prometheus
from monlab.catalog import Catalog, load_catalog
from monlab.lab.model import load_lab
from monlab.lab.runner import run_lab
from monlab.lab.timing import Timing
from monlab.lab.view import LabView
from monlab.render.context import RenderContext
from monlab.render.prometheus import alert_rules
from monlab.render.text import yaml_text
from monlab.resources import labs_dir
from monlab.serve import ServeOptions, gunicorn_command
from monlab.stackinfo import ServiceInfo, StackInfo
from monlab.waiting import Outcome, poll

FAST = Timing(scrape_interval=1.0, evaluation_interval=1.0, poll_interval=0.2)

CONFIG = """\
global:
  scrape_interval: 1s
  scrape_timeout: 1s
  evaluation_interval: 1s
rule_files: [rules.yml]
scrape_configs:
  - job_name: flask-app
    metrics_path: /metrics
    static_configs: [{targets: ['127.0.0.1:PORT']}]
  - job_name: flask-app-uptime
    metrics_path: /healthz
    static_configs: [{targets: ['127.0.0.1:PORT']}]
"""


class LocalStack:
    """StackControl on local processes; records what was done to it."""

    def __init__(self, tmp: Path, prometheus_url: str = "") -> None:
        self.tmp = tmp
        self.port = free_port()
        self.app_url = f"http://127.0.0.1:{self.port}"
        self.prometheus_url = prometheus_url
        self.source: Path | None = None
        self.process: subprocess.Popen | None = None
        self.actions: list[str] = []
        self.grafana: tuple[str, str] | None = None  # (url, admin password) of a (fake) Grafana
        self._runs = 0

    def info(self) -> StackInfo:
        app_state = "running" if self.process and self.process.poll() is None else "exited"
        services = {
            "app": ServiceInfo("app", app_state, self.app_url),
            "prometheus": ServiceInfo("prometheus", "running", self.prometheus_url),
        }
        if self.grafana is None:
            return StackInfo("local", services, mode="offline")
        services["grafana"] = ServiceInfo("grafana", "running", self.grafana[0])
        return StackInfo("local", services, grafana_password=self.grafana[1])

    def stop_service(self, service: str) -> None:
        assert service == "app"
        self.actions.append("stop app")
        self._stop()

    def start_service(self, service: str) -> None:
        assert service == "app"
        self.actions.append("start app")
        self._start()

    def redeploy_app(self, source_dir: Path | None = None) -> bool:
        self.actions.append(f"redeploy {source_dir or 'lecture'}")
        self._stop()
        self.source = None
        if source_dir is not None:  # like an image build: later changes to the directory do not matter
            self.source = self.tmp / f"image-{self._runs}"
            shutil.copytree(source_dir, self.source, ignore=shutil.ignore_patterns("__pycache__"))
        self._start()
        self.wait_answers()
        return True

    def _start(self) -> None:
        if self.process and self.process.poll() is None:
            return  # already running: like `docker start` of a running container (a second one would leak)
        self._runs += 1
        metrics_dir = self.tmp / f"metrics-{self._runs}"
        metrics_dir.mkdir()
        command = gunicorn_command(ServeOptions(port=self.port, workers=2, app_dir=self.source))
        self.process = subprocess.Popen(command, env={**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir)},
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)

    def _stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()

    def wait_answers(self) -> None:
        def answers() -> Outcome:
            try:
                return Outcome(httpx.get(f"{self.app_url}/healthz", timeout=2).status_code == 200)
            except httpx.HTTPError:
                return Outcome(False)

        assert poll(answers, timeout=30, interval=0.1).done, "the local app did not start"


@contextlib.contextmanager
def local_stack(prometheus_binary: str, tmp: Path, catalog: Catalog | None = None) -> Iterator[LocalStack]:
    """The app and a Prometheus with the catalog's alert rules; everything stopped afterwards."""
    catalog = catalog or load_catalog()
    stack = LocalStack(tmp)
    stack.redeploy_app(None)
    stack.actions.clear()
    (tmp / "rules.yml").write_text(yaml_text(alert_rules(RenderContext(), catalog)))
    (tmp / "prometheus.yml").write_text(CONFIG.replace("PORT", str(stack.port)))
    try:
        with running_prometheus(prometheus_binary, tmp / "prometheus.yml", tmp) as api:
            stack.prometheus_url = api.base_url
            stack.prometheus_api = api  # its .process lets fault tests make Prometheus vanish
            first = poll(lambda: Outcome(api.query_value('up{job="flask-app"}') == 1), timeout=30, interval=0.2)
            if not first.done:
                pytest.fail("prometheus never scraped the local app")
            yield stack
    finally:
        stack._stop()


def quiet_view() -> tuple[LabView, io.StringIO]:
    out = io.StringIO()
    return LabView(Console(file=out, width=200, color_system=None)), out


def custom(tmp_path, name: str, steps: str):
    """A shipped section with its steps replaced."""
    labs = tmp_path / "labs"
    shutil.copytree(labs_dir(), labs)
    file = labs / f"{name}.yaml"
    text = file.read_text()
    file.write_text(text[: text.index("steps:")] + "steps:\n" + textwrap.indent(textwrap.dedent(steps), "  "))
    catalog = load_catalog(labs)
    return load_lab(catalog.section(name), catalog), catalog


def run(stack, lab_and_catalog, **options):
    lab, catalog = lab_and_catalog
    view, out = quiet_view()
    result = run_lab(lab, stack, catalog, view, timing=FAST, **options)
    return result, out.getvalue()


def failures(result) -> list[str]:
    return [f"{c.name}: {c.detail} / {c.hint}" for c in result.checks if c.failed]
