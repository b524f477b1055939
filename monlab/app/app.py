"""The lecture's Flask app (§3, §7, §8), corrected where the lecture is wrong.

Self-contained: runs from this directory alone (`gunicorn -c gunicorn.conf.py app:app`), in a
container or after `monlab app eject`. Requests are counted and timed in one place (InstrumentedFlask),
by the matched route, so unknown paths (404) and methods (405) never create series. A refused
purchase is still a request to a known route: it counts in http_requests_total, never in
purchase_amount_total.
"""

from __future__ import annotations

import random
import time

from flask import Flask, Response, request

from amounts import BadAmount, parse_amount
from lab_metrics import LabMetrics
from workload import simulate_load

NOT_COUNTED = frozenset({"/metrics", "/healthz"})
HEALTHZ_TYPE = "text/plain; version=0.0.4; charset=utf-8"


def create_app() -> Flask:
    app = InstrumentedFlask(__name__)
    metrics = LabMetrics()
    _add_routes(app, metrics)
    app.count_known_routes(metrics)
    return app


def _plain(text: str, status: int) -> Response:
    return Response(text, status=status, mimetype="text/plain")


def _add_routes(app: Flask, metrics: LabMetrics) -> None:
    @app.route("/")
    def hello():
        return "Hello, DevOps Monitoring!"

    @app.route("/simulate-load")
    def simulate_load_route():
        return f"Load simulated, result: {simulate_load()}"

    @app.route("/simulate-error")
    def simulate_error():
        if random.random() < 0.5:  # 50% chance of error
            return "Simulated Error", 500
        return "No error this time"

    @app.route("/login", methods=["POST"])
    def login():
        if request.form.get("password") == "secret":
            metrics.login_attempts.labels(status="success").inc()
            return "Login successful"
        metrics.login_attempts.labels(status="failure").inc()
        return "Login failed", 401

    @app.route("/purchase", methods=["POST"])
    def purchase():
        try:
            amount = parse_amount(request.form.get("amount"))
        except BadAmount as refused:
            return _plain(str(refused), 400)
        metrics.purchase_amount.inc(amount)
        return f"Purchase of ${amount} recorded"

    @app.route("/metrics")
    def metrics_route():
        body, content_type = metrics.exposition()
        return Response(body, content_type=content_type)

    @app.route("/healthz")
    def healthz():
        # A comment is valid exposition text, so a Prometheus job scraping this is up while we answer.
        return Response("# lab app is up\n", content_type=HEALTHZ_TYPE)


class InstrumentedFlask(Flask):
    """Counts and times every request to a known route, in one place around Flask's dispatch.

    The label children are bound once per (method, route) at start-up: a request to an unknown
    path or with an unknown method finds no child and creates no series.
    """

    metrics: LabMetrics
    series: dict[tuple[str, str], object]

    def count_known_routes(self, metrics: LabMetrics) -> None:
        self.metrics = metrics
        self.series = {
            (method, rule.rule): metrics.requests.labels(method=method, endpoint=rule.rule)
            for rule in self.url_map.iter_rules()
            if rule.rule not in NOT_COUNTED and rule.endpoint != "static"
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"})
        }

    def full_dispatch_request(self) -> Response:
        started = time.perf_counter()
        try:
            response = super().full_dispatch_request()
        except Exception:
            self._count(started, 500)
            raise
        self._count(started, response.status_code)
        return response

    def _count(self, started: float, status: int) -> None:
        current = request._get_current_object()  # one context lookup instead of one per attribute
        rule = current.url_rule
        child = self.series.get((current.method, rule.rule)) if rule is not None else None
        if child is None:
            return
        child.inc()
        self.metrics.latency.observe(time.perf_counter() - started)
        if status >= 500:
            self.metrics.errors.inc()


app = create_app()
