"""/metrics and /healthz on a port of their own, served by a thread of gunicorn's master process.

Under gunicorn every request waits for a free worker thread, /metrics and /healthz included: a
saturated app missed its scrapes, and `up` read 0 for an app that answered everything. Served here
(as prometheus_client's multiprocess docs do), they never queue behind the load.

/healthz still means "the app answers": it is 200 only while some worker's heartbeat (the file
gunicorn's workers touch from their accept loop, the same one gunicorn's own timeout watches) moved
within HEARTBEAT_S; otherwise 503, a failed scrape, `up` 0.
"""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable

from lab_metrics import multiprocess_exposition

HEARTBEAT_S = 10.0
HEALTHZ_TYPE = "text/plain; version=0.0.4; charset=utf-8"


class Heartbeats:
    """When each worker's heartbeat last moved, by this process' clock (gunicorn versions differ in
    the clock they stamp it with, so only a change counts)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self.seen: dict[int, tuple[float, float]] = {}  # pid -> (stamp, when it last changed)

    def alive(self, stamps: dict[int, float]) -> bool:
        now = self.clock()
        self.seen = {pid: (stamp, now if self.seen.get(pid, (None,))[0] != stamp else self.seen[pid][1])
                     for pid, stamp in stamps.items()}
        return any(now - changed <= HEARTBEAT_S for _, changed in self.seen.values())


def worker_stamps(arbiter) -> dict[int, float]:
    stamps = {}
    for pid, worker in list(arbiter.WORKERS.items()):
        try:
            stamps[pid] = worker.tmp.last_update()
        except (OSError, ValueError):  # a worker being reaped
            continue
    return stamps


def start(bind: str, arbiter) -> ThreadingHTTPServer:
    host, _, port = bind.rpartition(":")
    heartbeats = Heartbeats()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path.split("?")[0] == "/metrics":
                body, content_type = multiprocess_exposition()
                self._answer(200, body, content_type)
            elif self.path.split("?")[0] == "/healthz":
                if heartbeats.alive(worker_stamps(arbiter)):
                    self._answer(200, b"# lab app is up\n", HEALTHZ_TYPE)
                else:
                    self._answer(503, b"no worker of the lab app is alive\n", "text/plain; charset=utf-8")
            else:
                self._answer(404, b"only /metrics and /healthz here\n", "text/plain; charset=utf-8")

        def _answer(self, status: int, body: bytes, content_type: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args) -> None:  # scrapes every few seconds: not worth a log line
            pass

    server = ThreadingHTTPServer((host.strip("[]") or "0.0.0.0", int(port)), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, name="lab-app-side-server", daemon=True).start()
    return server
