"""The lecture's §5 load — 100 concurrent requests to /simulate-load — through `monlab load`,
against the lecture's own `for i in {1..100}; do curl … & done` loop, on the same server."""

from __future__ import annotations

import subprocess

from bench_app import monlab_serve
from measure import Row, free_port, median_of, python_command, server, timed

REQUESTS = 100


def _curl_loop(url: str) -> float:
    script = f"for i in $(seq {REQUESTS}); do curl -s -o /dev/null {url} & done; wait"
    return timed(lambda: subprocess.run(["bash", "-c", script], check=True))


def _monlab_load(base_url: str) -> float:
    command = python_command("-m", "monlab", "load", "/simulate-load", "-n", str(REQUESTS), "-c", str(REQUESTS),
                             "--url", base_url)
    return timed(lambda: subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))


def run(repeat: int) -> list[Row]:
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    with server(monlab_serve(port), base_url + "/"):
        curl_seconds = median_of(repeat, lambda: _curl_loop(base_url + "/simulate-load"))
        load_seconds = median_of(repeat, lambda: _monlab_load(base_url))
    return [Row(f"§5 load: {REQUESTS} concurrent /simulate-load via monlab load", load_seconds, "s",
                "the lecture's curl & loop", curl_seconds)]
