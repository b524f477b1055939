"""`monlab dashboard` on a local stack: the lab app under gunicorn and Debian's prometheus scraping
it (tests/lab_fixtures.py), after some lecture traffic.

- One refresh (every catalog panel's range query plus the alerts, concurrently), against the same
  queries one after another in the same run (goal: under 200 ms).
- CPU the live dashboard uses while idle, in a real pseudo-terminal at its default 5 s refresh
  (goal: under 5 % of a core).
"""

from __future__ import annotations

import os
import pty
import select
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from measure import Row, median_of, python_command, timed

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]  # this checkout's monlab, and the tests' local stack

REFRESH_GOAL_S = 0.2
IDLE_GOAL = 0.05
WARM_UP_S = 6.0
IDLE_WINDOW_S = 30.0
RANGE = "15m"


def _sequential(api, sections) -> None:
    """The baseline: the same range queries, one after another."""
    from monlab.catalog import parse_duration
    from monlab.dashboard.data import fetch_panel, prometheus_alert_states, step_for

    end = time.time()
    seconds = parse_duration(RANGE)
    for section in sections:
        for panel in section.panels:
            fetch_panel(api, panel, end - seconds, end, step_for(seconds))
    prometheus_alert_states(api)


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def _idle_cpu(prometheus_url: str) -> float:
    """Share of one core the live dashboard uses between refreshes, measured from /proc."""
    master, slave = pty.openpty()
    env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": "160", "LINES": "48"}
    process = subprocess.Popen(python_command("-m", "monlab", "dashboard", "--prometheus-url", prometheus_url),
                               stdin=slave, stdout=slave, stderr=slave, env=env, cwd=ROOT, start_new_session=True)
    os.close(slave)
    stop = threading.Event()

    def drain() -> None:  # a terminal reads what the app draws
        while not stop.is_set():
            ready, _, _ = select.select([master], [], [], 0.2)
            if ready:
                try:
                    os.read(master, 65536)
                except OSError:
                    return

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    try:
        time.sleep(WARM_UP_S)
        if process.poll() is not None:
            raise RuntimeError("the dashboard exited during warm-up")
        before, started = _cpu_seconds(process.pid), time.monotonic()
        time.sleep(IDLE_WINDOW_S)
        share = (_cpu_seconds(process.pid) - before) / (time.monotonic() - started)
        os.write(master, b"q")
        process.wait(timeout=15)
        return share
    finally:
        stop.set()
        if process.poll() is None:
            process.kill()
            process.wait()
        reader.join(2)
        os.close(master)


def run(repeat: int) -> list[Row]:
    from dashboard_fixtures import send_lecture_traffic
    from lab_fixtures import local_stack
    from monlab.catalog import load_catalog
    from monlab.dashboard.data import fetch_snapshot
    from monlab.prometheus_api import PrometheusAPI

    sections = list(load_catalog().sections)
    runs = max(repeat, 10)
    with tempfile.TemporaryDirectory() as tmp, local_stack(shutil.which("prometheus") or "prometheus", Path(tmp)) as stack:
        send_lecture_traffic(stack.app_url)
        time.sleep(3)  # a few scrapes of it
        with PrometheusAPI(stack.prometheus_url) as api:
            fetch_snapshot(api, sections, RANGE)  # connections and Prometheus' caches warm
            refresh = median_of(runs, lambda: timed(lambda: fetch_snapshot(api, sections, RANGE)))
            one_by_one = median_of(runs, lambda: timed(lambda: _sequential(api, sections)))
        idle = _idle_cpu(stack.prometheus_url)
    panels = sum(len(s.panels) for s in sections)
    return [
        Row(f"Dashboard refresh ({panels} panels + alerts, concurrent)", refresh, "s",
            "the same queries one after another", one_by_one, goal=f"≤ {REFRESH_GOAL_S} s", met=refresh <= REFRESH_GOAL_S),
        Row("Dashboard idle CPU (live, 5 s refresh, share of a core)", idle * 100, "%",
            goal=f"≤ {IDLE_GOAL * 100:.0f} %", met=idle <= IDLE_GOAL),
    ]
