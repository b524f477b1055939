"""gunicorn settings shared by the container image and `monlab app serve` (which overrides bind/workers)."""

import glob
import os

bind = os.environ.get("LAB_APP_BIND", "0.0.0.0:5000")
workers = int(os.environ.get("LAB_APP_WORKERS", "2"))
# Threaded workers keep HTTP connections alive; sync workers close each one, which halves the
# throughput behind Docker's port proxy (bench/: 2,600 -> 4,300 req/s on /).
worker_class = "gthread"
threads = 4
timeout = 60
# gunicorn 27 opens a control socket at one fixed path per user: several servers would collide.
# Older gunicorn ignores settings it does not know.
control_socket_disable = True


def on_starting(server):
    """Start every server with empty metric files: old workers' values must not come back."""
    path = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if path:
        os.makedirs(path, exist_ok=True)
        for stale in glob.glob(os.path.join(path, "*.db")):
            os.remove(stale)


# /metrics and /healthz on a port of their own, never queued behind busy workers (side_server.py).
metrics_bind = os.environ.get("LAB_APP_METRICS_BIND", "")


def when_ready(server):
    if metrics_bind and os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        import sys

        sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
        import side_server

        side_server.start(metrics_bind, server)
        server.log.info("metrics and health on %s", metrics_bind)


def child_exit(server, worker):
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
