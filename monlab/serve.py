"""`monlab app serve`: the lab app under gunicorn on this machine, with exact multi-worker metrics.

Each run gets a fresh, empty PROMETHEUS_MULTIPROC_DIR, removed again when the server stops.
"""

from __future__ import annotations

import errno
import importlib.util
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from monlab.bind_probe import bind_error, require_local_address
from monlab.errors import ConfigError, PortInUse, ServiceError
from monlab.resources import app_source_dir

DEFAULT_WORKERS = 2
STOP_TIMEOUT = 15.0


@dataclass(frozen=True)
class ServeOptions:
    host: str = "127.0.0.1"
    port: int = 5000
    workers: int = DEFAULT_WORKERS
    app_dir: Path | None = None
    metrics_port: int | None = None  # /metrics and /healthz from gunicorn's master (side_server.py)

    @property
    def source(self) -> Path:
        return self.app_dir or app_source_dir()

    @property
    def bind(self) -> str:
        return self.bind_to(self.port)

    def bind_to(self, port: int) -> str:
        return f"[{self.host}]:{port}" if ":" in self.host else f"{self.host}:{port}"

    def environment(self, metrics_dir: str) -> dict[str, str]:
        env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": metrics_dir}
        if self.metrics_port:
            env["LAB_APP_METRICS_BIND"] = self.bind_to(self.metrics_port)
        return env

    @property
    def url(self) -> str:
        from monlab.project import http_url

        return http_url(self.host, self.port)


def gunicorn_command(options: ServeOptions) -> list[str]:
    source = options.source
    return [
        sys.executable, "-m", "gunicorn",
        "--chdir", str(source),
        "--config", str(source / "gunicorn.conf.py"),
        "--bind", options.bind,
        "--workers", str(options.workers),
        "app:app",
    ]


def check_can_serve(options: ServeOptions) -> None:
    """Refuse early, in one sentence, what gunicorn would otherwise report as a retry loop or traceback."""
    if importlib.util.find_spec("gunicorn") is None:
        raise ConfigError("gunicorn is not installed in this Python", "Run `pip install monlab` again.")
    if not (options.source / "app.py").is_file():
        raise ConfigError(f"{options.source} holds no lab app (app.py is missing)")
    if options.workers < 1:
        raise ConfigError(f"--workers {options.workers} is not a number of worker processes", "Use 1 or more.")
    check_port_free(options.host, options.port)
    if options.metrics_port:
        check_port_free(options.host, options.metrics_port)


def check_port_free(host: str, port: int) -> None:
    require_local_address(host)
    error = bind_error(host, port)
    if error is None:
        return
    if error.errno == errno.EADDRINUSE:
        raise PortInUse(
            f"Port {port} on {host} is already in use",
            "Stop what listens there or choose another port with --port.",
        )
    raise ConfigError(f"Cannot listen on {host}:{port} ({error.strerror})", "Choose another --host or --port.")


class _Stop(Exception):
    """SIGTERM arrived: stop like on Ctrl-C."""


def _raise_stop(signum: int, frame: object) -> None:
    raise _Stop()


def serve(options: ServeOptions, announce: Callable[[str], None] = print) -> None:
    """Run gunicorn until it exits or we are interrupted (Ctrl-C, SIGTERM); always clean up."""
    check_can_serve(options)
    metrics_dir = tempfile.mkdtemp(prefix="monlab-app-metrics-")
    env = options.environment(metrics_dir)
    previous = signal.signal(signal.SIGTERM, _raise_stop)
    process: subprocess.Popen | None = None
    try:
        # Its own session: Ctrl-C reaches only us, and we stop gunicorn and every worker it forked.
        process = subprocess.Popen(gunicorn_command(options), env=env, start_new_session=True)
        side = f"; /metrics and /healthz also on port {options.metrics_port}" if options.metrics_port else ""
        announce(f"Lab app on {options.url} ({options.workers} gunicorn workers, metrics at /metrics{side}). Ctrl-C stops it.")
        code = process.wait()
        if code != 0:
            raise ServiceError(
                f"The lab app server stopped with exit code {code}",
                "See gunicorn's messages above.",
            )
    except (KeyboardInterrupt, _Stop):
        announce("Stopping the lab app.")
    finally:
        signal.signal(signal.SIGTERM, previous)
        if process is not None:
            _stop(process)
        shutil.rmtree(metrics_dir, ignore_errors=True)


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)  # gunicorn's graceful shutdown
        try:
            process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    # A worker caught mid-shutdown can outlive its master and keep the port open: end the group.
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
