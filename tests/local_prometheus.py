"""Debian's prometheus binary run on a config file for one test, on a free loopback port."""

from __future__ import annotations

import contextlib
import subprocess
from pathlib import Path
from typing import Iterator

import pytest

from conftest import free_port
from monlab.prometheus_api import PrometheusAPI
from monlab.waiting import Outcome, poll

START_SECONDS = 30


@contextlib.contextmanager
def running_prometheus(binary: str, config: Path, workdir: Path) -> Iterator[PrometheusAPI]:
    """Start prometheus on `config`, yield a client once it is ready, always stop it afterwards."""
    port = free_port()
    log_path = workdir / "prometheus.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [binary, f"--config.file={config}", f"--storage.tsdb.path={workdir / 'prometheus-data'}",
             f"--web.listen-address=127.0.0.1:{port}"],
            stdout=log, stderr=subprocess.STDOUT,
        )
        api = PrometheusAPI(f"http://127.0.0.1:{port}")
        api.process = process  # for fault tests that make Prometheus vanish
        try:
            ready = poll(lambda: Outcome(process.poll() is not None or api.is_ready()), timeout=START_SECONDS)
            if not ready.done or process.poll() is not None:
                pytest.fail(f"prometheus did not start:\n{log_path.read_text()[-2000:]}")
            yield api
        finally:
            api.close()
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=15)
