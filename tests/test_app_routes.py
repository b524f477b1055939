"""The lab app in-process through Flask's test client: routes, status codes and every metric change,
read through the app's own /metrics exposition."""

from __future__ import annotations

import importlib
import math

import pytest

from lab_app_metrics import parse_exposition, requests, value
from monlab.resources import app_source_dir

LOAD_RESULT = sum(range(1_000_000))


@pytest.fixture
def client(monkeypatch):
    monkeypatch.syspath_prepend(str(app_source_dir()))
    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR", raising=False)
    module = importlib.import_module("app")
    return module.create_app().test_client()


def scrape(client) -> dict:
    response = client.get("/metrics")
    assert response.status_code == 200
    return parse_exposition(response.get_data(as_text=True))


@pytest.mark.parametrize(
    "method, path, data, status, body",
    [
        ("GET", "/", None, 200, "Hello, DevOps Monitoring!"),
        ("GET", "/simulate-load", None, 200, f"Load simulated, result: {LOAD_RESULT}"),
        ("POST", "/login", {"password": "secret"}, 200, "Login successful"),
        ("POST", "/login", {"password": "wrong"}, 401, "Login failed"),
        ("POST", "/login", None, 401, "Login failed"),
        ("POST", "/login", {"user": "alice"}, 401, "Login failed"),
        ("POST", "/purchase", {"amount": "19.99"}, 200, "Purchase of $19.99 recorded"),
        ("POST", "/purchase", {"amount": "100"}, 200, "Purchase of $100.0 recorded"),
    ],
)
def test_route_answers_like_the_lecture(client, method, path, data, status, body):
    response = client.open(path, method=method, data=data)
    assert response.status_code == status
    assert response.get_data(as_text=True) == body


@pytest.mark.parametrize("path", ["/", "/simulate-load", "/simulate-error"])
def test_each_get_is_counted_and_timed_once(client, path):
    before = scrape(client)
    client.get(path)
    after = scrape(client)
    assert requests(after, "GET", path) == requests(before, "GET", path) + 1
    assert value(after, "http_request_duration_seconds_count") == value(before, "http_request_duration_seconds_count") + 1
    assert value(after, "http_request_duration_seconds_sum") > value(before, "http_request_duration_seconds_sum")


def test_simulate_error_counts_exactly_its_500s(client):
    statuses = [client.get("/simulate-error").status_code for _ in range(60)]
    samples = scrape(client)
    assert set(statuses) == {200, 500}  # both outcomes; chance of missing one is 2**-59
    assert value(samples, "http_errors_total") == statuses.count(500)
    assert requests(samples, "GET", "/simulate-error") == 60


def test_logins_are_counted_by_outcome(client):
    client.post("/login", data={"password": "secret"})
    for data in ({"password": "nope"}, {}, {"password": ""}):
        client.post("/login", data=data)
    client.post("/login", json={"password": "secret"})  # not a form: no password given
    samples = scrape(client)
    assert value(samples, "login_attempts_total", status="success") == 1
    assert value(samples, "login_attempts_total", status="failure") == 4
    assert requests(samples, "POST", "/login") == 5


def test_purchases_add_their_exact_amounts(client):
    for amount in ("10", "0", "2.5", "1e3", " 7 ", "+1.25", ".5"):
        assert client.post("/purchase", data={"amount": amount}).status_code == 200
    samples = scrape(client)
    assert value(samples, "purchase_amount_total") == 10 + 0 + 2.5 + 1000 + 7 + 1.25 + 0.5
    assert requests(samples, "POST", "/purchase") == 7


BAD_AMOUNTS = ["abc", "", "   ", "nan", "NaN", "inf", "-inf", "Infinity", "-5", "-0.01", "1e999",
               "1e13", "1_000", "0x10", "12,50", "--1", "1e", "$5", "5" * 100]


@pytest.mark.parametrize("amount", BAD_AMOUNTS + [None])
def test_bad_amount_is_refused_and_never_touches_revenue(client, amount):
    client.post("/purchase", data={"amount": "5"})
    before = scrape(client)
    response = client.post("/purchase", data={} if amount is None else {"amount": amount})
    after = scrape(client)
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert text.startswith("Missing purchase amount" if amount is None else "Invalid purchase amount"), text
    assert after[("purchase_amount_total", frozenset())] == 5
    assert math.isfinite(after[("purchase_amount_total", frozenset())])
    # Decision: a refused purchase is a real request to a known route, so it is counted there.
    assert requests(after, "POST", "/purchase") == requests(before, "POST", "/purchase") + 1
    assert value(after, "http_errors_total") == value(before, "http_errors_total")


@pytest.mark.parametrize(
    "method, path, status",
    [
        ("GET", "/nope", 404),
        ("GET", "/simulate-load/extra", 404),
        ("GET", "/%3Cscript%3E", 404),
        ("POST", "/LOGIN", 404),
        ("GET", "/login", 405),
        ("GET", "/purchase", 405),
        ("DELETE", "/", 405),
        ("POST", "/simulate-error", 405),
        ("BREW", "/", 405),
        ("PUT", "/metrics", 405),
    ],
)
def test_unknown_paths_and_methods_create_no_series(client, method, path, status):
    before = scrape(client)
    assert client.open(path, method=method).status_code == status
    assert scrape(client) == before


def test_metrics_and_healthz_are_not_counted(client):
    before = scrape(client)
    for _ in range(3):
        client.get("/metrics")
        client.get("/healthz")
    assert scrape(client) == before


def test_healthz_is_prometheus_text(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/plain; version=0.0.4")
    assert parse_exposition(response.get_data(as_text=True)) == {}


def test_every_lecture_series_is_exposed_before_traffic(client):
    samples = scrape(client)
    for key in [
        ("http_requests_total", frozenset({("method", "GET"), ("endpoint", "/")})),
        ("http_requests_total", frozenset({("method", "POST"), ("endpoint", "/purchase")})),
        ("login_attempts_total", frozenset({("status", "failure")})),
        ("login_attempts_total", frozenset({("status", "success")})),
        ("purchase_amount_total", frozenset()),
        ("http_errors_total", frozenset()),
        ("http_request_duration_seconds_count", frozenset()),
    ]:
        assert samples[key] == 0, key
    assert not any(name == "http_requests_total" and dict(labels)["endpoint"] in ("/metrics", "/healthz")
                   for name, labels in samples)


def test_app_source_does_not_import_monlab():
    for source in app_source_dir().glob("*.py"):
        text = source.read_text()
        assert "import monlab" not in text and "from monlab" not in text, source
