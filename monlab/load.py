"""Bounded concurrent HTTP load on the lab app: `monlab load` and the labs' traffic steps.

Worker threads share one keep-alive httpx client and take request numbers from a shared counter;
with a rate, request i is not sent before start + i/rate. Latencies are measured per request on
the client. Progress is reported from the calling thread, so a progress bar needs no locking.
"""

from __future__ import annotations

import ipaddress
import itertools
import math
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Callable
from urllib.parse import urlsplit

import httpx

from monlab.errors import ConfigError

MAX_REQUESTS = 100_000
MAX_CONCURRENCY = 256
MAX_RATE = 1_000.0
METHODS = ("GET", "POST")
REQUEST_TIMEOUT_S = 30.0


@dataclass(frozen=True)
class LoadPlan:
    path: str
    count: int
    concurrency: int = 1
    method: str = "GET"
    data: dict[str, str] = field(default_factory=dict)
    rate: float | None = None  # requests per second; None: as fast as the workers go

    def __post_init__(self) -> None:
        if not self.path.startswith("/"):
            raise ConfigError(f"Path {self.path!r} must start with '/'", "Give a path of the lab app, e.g. /simulate-load.")
        if not 1 <= self.count <= MAX_REQUESTS:
            raise ConfigError(f"Request count {self.count} is out of range", f"Use 1 to {MAX_REQUESTS}.")
        if not 1 <= self.concurrency <= MAX_CONCURRENCY:
            raise ConfigError(f"Concurrency {self.concurrency} is out of range", f"Use 1 to {MAX_CONCURRENCY}.")
        if self.method not in METHODS:
            raise ConfigError(f"Method {self.method!r} is not supported", f"Use one of {', '.join(METHODS)}.")
        if self.rate is not None and not 0 < self.rate <= MAX_RATE:
            raise ConfigError(f"Rate {self.rate} is out of range", f"Use more than 0 and at most {MAX_RATE:g} requests/s.")

    def describe(self) -> str:
        form = "&".join(f"{k}={v}" for k, v in self.data.items())
        pace = f" at {self.rate:g}/s" if self.rate else ""
        return f"{self.count}× {self.method} {self.path}{' ' + form if form else ''} ({self.concurrency} at a time{pace})"


@dataclass(frozen=True)
class LoadResult:
    latencies: tuple[float, ...]  # seconds, of requests that got an answer
    statuses: dict[int, int]
    errors: dict[str, int]  # transport error name -> count (no answer at all)
    elapsed: float

    @property
    def answered(self) -> int:
        return sum(self.statuses.values())

    @property
    def unanswered(self) -> int:
        """Requests that got no answer at all (timed out, refused, reset)."""
        return sum(self.errors.values())

    @property
    def sent(self) -> int:
        return self.answered + self.unanswered

    @property
    def mostly_unanswered(self) -> bool:
        return self.unanswered * 2 > self.sent

    @property
    def throughput(self) -> float:
        return self.sent / self.elapsed if self.elapsed > 0 else 0.0

    def percentile(self, p: float) -> float | None:
        """Nearest-rank percentile of the answered requests' latencies, in seconds (see `covers`)."""
        if not self.latencies:
            return None
        ordered = sorted(self.latencies)
        rank = max(1, math.ceil(p / 100 * len(ordered)))
        return ordered[rank - 1]

    @property
    def mean(self) -> float | None:
        return math.fsum(self.latencies) / len(self.latencies) if self.latencies else None

    def covers(self) -> str:
        """What the percentiles cover: "" when every request was answered."""
        if not self.unanswered:
            return ""
        return f"of the {self.answered} answered; {self.unanswered} of {self.sent} got no answer"

    def count_of(self, status: int) -> int:
        return self.statuses.get(status, 0)


class _Worker:
    def __init__(self) -> None:
        self.latencies: list[float] = []
        self.statuses: Counter[int] = Counter()
        self.errors: Counter[str] = Counter()
        self.done = 0


def run_load(
    base_url: str,
    plan: LoadPlan,
    progress: Callable[[int], None] | None = None,
    stop: threading.Event | None = None,
) -> LoadResult:
    """Send the plan's requests and return what came back; `stop` ends it early (bounded either way)."""
    stop = stop or threading.Event()
    numbers = itertools.count()
    workers = [_Worker() for _ in range(min(plan.concurrency, plan.count))]
    limits = httpx.Limits(max_connections=len(workers), max_keepalive_connections=len(workers))
    with httpx.Client(base_url=base_url.rstrip("/"), limits=limits, timeout=REQUEST_TIMEOUT_S) as client:
        start = time.perf_counter()
        threads = [
            threading.Thread(target=_work, args=(client, plan, numbers, start, stop, w), daemon=True)
            for w in workers
        ]
        for thread in threads:
            thread.start()
        try:
            _report_until_done(threads, workers, progress)
        except KeyboardInterrupt:
            raise LoadInterrupted(_stop_workers(stop, threads, workers, start)) from None
        elapsed = time.perf_counter() - start
    return _merge(workers, elapsed)


class LoadInterrupted(KeyboardInterrupt):
    """Ctrl-C during a load, with what it had reached by then."""

    def __init__(self, reached: "LoadResult") -> None:
        super().__init__()
        self.reached = reached


def _stop_workers(stop: threading.Event, threads: list[threading.Thread], workers: list["_Worker"], start: float) -> "LoadResult":
    """Ctrl-C: stop the workers (bounded); what they had done."""
    stop.set()
    for thread in threads:
        thread.join(REQUEST_TIMEOUT_S)
    return _merge(workers, time.perf_counter() - start)


def _work(client: httpx.Client, plan: LoadPlan, numbers, start: float, stop: threading.Event, worker: _Worker) -> None:
    data = plan.data or None
    for number in numbers:
        if number >= plan.count or stop.is_set():
            return
        if plan.rate and stop.wait(max(0.0, start + number / plan.rate - time.perf_counter())):
            return
        sent = time.perf_counter()
        try:
            response = client.request(plan.method, plan.path, data=data)
        except httpx.HTTPError as exc:
            worker.errors[type(exc).__name__] += 1
        else:
            worker.latencies.append(time.perf_counter() - sent)
            worker.statuses[response.status_code] += 1
        worker.done += 1


def _report_until_done(threads: list[threading.Thread], workers: list[_Worker], progress) -> None:
    for thread in threads:
        while thread.is_alive():
            thread.join(0.1)
            if progress:
                progress(sum(w.done for w in workers))
    if progress:
        progress(sum(w.done for w in workers))


def _merge(workers: list[_Worker], elapsed: float) -> LoadResult:
    statuses: Counter[int] = Counter()
    errors: Counter[str] = Counter()
    for worker in workers:
        statuses.update(worker.statuses)
        errors.update(worker.errors)
    latencies = tuple(itertools.chain.from_iterable(w.latencies for w in workers))
    return LoadResult(latencies, dict(statuses), dict(errors), elapsed)


def parse_form(pairs: list[str]) -> dict[str, str]:
    """`k=v` strings into form data; a pair without '=' is a usage mistake."""
    data = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise ConfigError(f"Form field {pair!r} is not key=value", "Write it like --data amount=19.99.")
        data[key] = value
    return data


def require_loopback(url: str) -> str:
    """Only the lab app is a target: an explicit URL must point at this machine."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.scheme not in ("http", "https") or not host:
        raise ConfigError(f"{url!r} is not an http:// URL", "Use e.g. --url http://127.0.0.1:5000.")
    if host != "localhost":
        try:
            loopback = ipaddress.ip_address(host).is_loopback
        except ValueError:
            loopback = False
        if not loopback:
            raise ConfigError(
                f"{url} is not on this machine",
                "monlab load only targets the lab app: use the stack (--project) or a loopback --url.",
            )
    return url.rstrip("/")
