"""The lecture's metrics, with its names and label names exactly, and their exposition.

Under gunicorn every worker is a process with its own memory: with PROMETHEUS_MULTIPROC_DIR set,
prometheus_client keeps values in files there and /metrics sums all workers' files.
"""

from __future__ import annotations

import os

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client import multiprocess

LOGIN_STATUSES = ("success", "failure")


def multiprocess_dir() -> str | None:
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR") or None


class LabMetrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.requests = Counter("http_requests_total", "Total HTTP Requests", ["method", "endpoint"], registry=r)
        self.latency = Histogram("http_request_duration_seconds", "HTTP request latency in seconds", registry=r)
        self.errors = Counter("http_errors_total", "Total HTTP Errors", registry=r)
        self.login_attempts = Counter("login_attempts_total", "Total login attempts", ["status"], registry=r)
        self.purchase_amount = Counter("purchase_amount_total", "Total purchase amount", registry=r)
        for status in LOGIN_STATUSES:
            self.login_attempts.labels(status=status)

    def exposition(self) -> tuple[bytes, str]:
        if multiprocess_dir() is None:
            return generate_latest(self.registry), CONTENT_TYPE_LATEST
        return multiprocess_exposition()


def multiprocess_exposition() -> tuple[bytes, str]:
    """Every worker's values summed from their files (needs PROMETHEUS_MULTIPROC_DIR)."""
    combined = CollectorRegistry()
    multiprocess.MultiProcessCollector(combined, path=multiprocess_dir())
    return generate_latest(combined), CONTENT_TYPE_LATEST
