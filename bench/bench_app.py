"""The lab app's throughput and p99 on `/` under `monlab app serve`, against the lecture's own app
on Flask's development server; and what the metrics cost (the app with and without them)."""

from __future__ import annotations

import os
from pathlib import Path

from measure import Row, free_port, python_command, server
from wrk_probe import run_wrk

HERE = Path(__file__).resolve().parent
THROUGHPUT_GOAL = 3.0
OVERHEAD_GOAL = 0.10


def _measure(command: list[str], port: int, path: str = "/", env: dict[str, str] | None = None, seconds: int = 5):
    url = f"http://127.0.0.1:{port}{path}"
    with server(command, url, env=env):
        run_wrk(url, seconds=1)  # warm-up: workers imported, connections open
        return run_wrk(url, seconds=seconds)


def lecture_app(port: int) -> list[str]:
    return python_command(str(HERE / "lecture_app.py"), str(port))


def monlab_serve(port: int) -> list[str]:
    return python_command("-m", "monlab", "app", "serve", "--host", "127.0.0.1", "--port", str(port))


def _medians(results) -> tuple[float, float]:
    rps = sorted(r.requests_per_second for r in results)[len(results) // 2]
    p99 = sorted(r.p99_seconds for r in results)[len(results) // 2]
    return rps, p99


def run(repeat: int) -> list[Row]:
    base = [_measure(lecture_app(port := free_port()), port) for _ in range(repeat)]
    ours = [_measure(monlab_serve(port := free_port()), port) for _ in range(repeat)]
    base_rps, base_p99 = _medians(base)
    rps, p99 = _medians(ours)
    rows = [
        Row("App throughput on / (monlab app serve)", rps, "req/s", "lecture app, Flask dev server", base_rps,
            goal=f"≥ {THROUGHPUT_GOAL}× baseline", met=rps >= THROUGHPUT_GOAL * base_rps, higher_is_better=True),
        Row("App p99 latency on / (monlab app serve)", p99, "s", "lecture app, Flask dev server", base_p99),
    ]
    rows.extend(instrumentation_overhead(repeat))
    return rows


def instrumentation_overhead(repeat: int) -> list[Row]:
    """The same server and worker count, with the metrics hook on and off."""
    env_off = {**os.environ, "MONLAB_APP_METRICS": "off"}
    with_metrics = [_measure(monlab_serve(port := free_port()), port) for _ in range(repeat)]
    without = [_measure(monlab_serve(port := free_port()), port, env=env_off) for _ in range(repeat)]
    rps_on, _ = _medians(with_metrics)
    rps_off, _ = _medians(without)
    overhead = 1 - rps_on / rps_off
    return [Row("Metrics overhead on / (throughput lost)", overhead * 100, "%", "same app, metrics off", None,
                goal=f"≤ {OVERHEAD_GOAL:.0%}", met=overhead <= OVERHEAD_GOAL)]
