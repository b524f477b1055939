"""`monlab app serve` for real: gunicorn with several workers, metrics exact to the request."""

from __future__ import annotations

import socket
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from lab_app_metrics import parse_exposition, requests, value
from lab_app_server import served_app

WORKERS = 3

# (method, path, form data, expected status, how many)
TRAFFIC = [
    ("GET", "/", None, 200, 40),
    ("GET", "/simulate-load", None, 200, 9),
    ("POST", "/login", {"password": "secret"}, 200, 7),
    ("POST", "/login", {"password": "guess"}, 401, 11),
    ("POST", "/login", None, 401, 5),
    ("POST", "/purchase", {"amount": "12.5"}, 200, 8),
    ("POST", "/purchase", {"amount": "nan"}, 400, 6),
    ("GET", "/no-such-page", None, 404, 10),
    ("GET", "/login", None, 405, 4),
]


@pytest.fixture
def served(tmp_path):
    with served_app(WORKERS, tmp_path) as app:
        yield app


def send_all(url: str, calls: list[tuple[str, str, dict | None]]) -> list[int]:
    """Concurrently, so that every worker serves some of them."""
    def one(call):
        method, path, data = call
        return httpx.request(method, url + path, data=data, timeout=30).status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        return list(pool.map(one, calls))


def scrape(url: str) -> dict:
    response = httpx.get(f"{url}/metrics", timeout=10)
    assert response.status_code == 200
    return parse_exposition(response.text)


def test_three_scrapes_in_a_row_show_exact_counts(served):
    calls = [(m, p, d) for m, p, d, _, n in TRAFFIC for _ in range(n)]
    statuses = send_all(served.url, calls)
    expected_statuses = [s for _, _, _, s, n in TRAFFIC for _ in range(n)]
    assert statuses == expected_statuses

    for _ in range(3):
        samples = scrape(served.url)
        assert requests(samples, "GET", "/") == 40
        assert requests(samples, "GET", "/simulate-load") == 9
        assert requests(samples, "POST", "/login") == 7 + 11 + 5
        assert requests(samples, "POST", "/purchase") == 8 + 6
        assert value(samples, "login_attempts_total", status="success") == 7
        assert value(samples, "login_attempts_total", status="failure") == 16
        assert value(samples, "purchase_amount_total") == 8 * 12.5
        assert value(samples, "http_request_duration_seconds_count") == 40 + 9 + 23 + 14
        assert value(samples, "http_errors_total") == 0
        assert not [labels for name, labels in samples
                    if name == "http_requests_total" and dict(labels)["endpoint"] not in
                    ("/", "/simulate-load", "/simulate-error", "/login", "/purchase")]


def test_simulate_error_fails_about_half_and_every_500_is_counted(served):
    statuses = send_all(served.url, [("GET", "/simulate-error", None)] * 200)
    failures = statuses.count(500)
    assert set(statuses) <= {200, 500}
    assert 60 <= failures <= 140
    for _ in range(3):
        samples = scrape(served.url)
        assert value(samples, "http_errors_total") == failures
        assert requests(samples, "GET", "/simulate-error") == 200


def test_ctrl_c_stops_the_server_and_removes_its_metrics_dir(served):
    assert len(list(served.tmp_dir.iterdir())) == 1  # the run's PROMETHEUS_MULTIPROC_DIR
    assert served.interrupt() == 0
    assert list(served.tmp_dir.iterdir()) == []
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{served.url}/healthz", timeout=2)


def test_busy_port_is_one_line_and_exit_3():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "monlab", "app", "serve", "--port", str(port)],
            capture_output=True, text=True, timeout=30,
        )
    assert result.returncode == 3
    assert result.stderr.count("\n") == 1 and "already in use" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_bad_port_number_is_a_usage_error():
    result = subprocess.run(
        [sys.executable, "-m", "monlab", "app", "serve", "--port", "70000"],
        capture_output=True, text=True, timeout=30,
    )
    assert result.returncode == 2
