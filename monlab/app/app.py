"""The lecture's Flask app (§3, §7, §8), corrected where the lecture is wrong.

Self-contained: runs from this directory alone (`gunicorn -c gunicorn.conf.py app:app`), in a
container or after `monlab app eject`. Requests are counted and timed in one pair of hooks, by
the matched route, so unknown paths (404) and methods (405) never create series. A refused
purchase is still a request to a known route: it counts in http_requests_total, never in
purchase_amount_total.
"""

from __future__ import annotations

import random
import time

from flask import Flask, Response, g, request

from amounts import BadAmount, parse_amount
from lab_metrics import LabMetrics
from workload import simulate_load

NOT_COUNTED = frozenset({"/metrics", "/healthz"})
HEALTHZ_TYPE = "text/plain; version=0.0.4; charset=utf-8"


def create_app() -> Flask:
    app = Flask(__name__)
    metrics = LabMetrics()
    _add_routes(app, metrics)
    _add_instrumentation(app, metrics)
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


def _add_instrumentation(app: Flask, metrics: LabMetrics) -> None:
    for rule in app.url_map.iter_rules():
        if rule.rule not in NOT_COUNTED and rule.endpoint != "static":
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                metrics.declare_route(method, rule.rule)

    @app.before_request
    def start_timer():
        g.monlab_started = time.perf_counter()

    @app.after_request
    def count_request(response: Response) -> Response:
        rule = request.url_rule
        started = g.pop("monlab_started", None)
        if rule is None or rule.rule in NOT_COUNTED or started is None:
            return response
        metrics.requests.labels(method=request.method, endpoint=rule.rule).inc()
        metrics.latency.observe(time.perf_counter() - started)
        if response.status_code >= 500:
            metrics.errors.inc()
        return response


app = create_app()
