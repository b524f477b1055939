"""`monlab app serve` as a real subprocess on a free loopback port, stopped in a finalizer."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import httpx

from conftest import free_port
from monlab.waiting import Outcome, poll


class ServedApp:
    def __init__(self, workers: int, tmp_dir: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.tmp_dir = tmp_dir  # TMPDIR of the server: its metrics dir is made (and removed) here
        self.process = subprocess.Popen(
            [sys.executable, "-m", "monlab", "app", "serve", "--workers", str(workers), "--port", str(self.port)],
            env={**os.environ, "TMPDIR": str(tmp_dir)},
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            start_new_session=True,
        )

    def wait_ready(self, timeout: float = 30) -> None:
        def answers() -> Outcome[int]:
            if self.process.poll() is not None:
                return Outcome(True, None, "exited")
            try:
                return Outcome(httpx.get(f"{self.url}/healthz", timeout=2).status_code == 200)
            except httpx.HTTPError as exc:
                return Outcome(False, note=type(exc).__name__)

        result = poll(answers, timeout=timeout, interval=0.2)
        assert result.done and self.process.poll() is None, f"server not ready: {result.note}\n{self.output()}"

    def interrupt(self, timeout: float = 20) -> int:
        """Ctrl-C as a terminal sends it: SIGINT to the whole process group."""
        os.killpg(self.process.pid, signal.SIGINT)
        return self.process.wait(timeout=timeout)

    def output(self) -> str:
        if self.process.poll() is None:
            return ""
        return self.process.stdout.read()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                pass
        try:
            os.killpg(self.process.pid, signal.SIGKILL)  # anything left of the group we started
        except ProcessLookupError:
            pass
        self.process.wait()
        self.process.stdout.close()


@contextmanager
def served_app(workers: int, tmp_dir: Path) -> Iterator[ServedApp]:
    app = ServedApp(workers, tmp_dir)
    try:
        app.wait_ready()
        yield app
    finally:
        app.stop()
