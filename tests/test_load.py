"""`monlab load` and the load module against the real lab app (`monlab app serve`) over HTTP."""

from __future__ import annotations

import threading

import httpx
import pytest

from conftest import free_port
from lab_app_server import served_app
from monlab.errors import ConfigError
from monlab.load import MAX_CONCURRENCY, MAX_REQUESTS, LoadPlan, parse_form, require_loopback, run_load
from monlab_cli import monlab


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    with served_app(2, tmp_path_factory.mktemp("load-app")) as served:
        yield served


def exposed(app, prefix: str) -> float:
    lines = [l for l in httpx.get(f"{app.url}/metrics").text.splitlines() if l.startswith(prefix)]
    return float(lines[0].split()[-1]) if lines else 0.0


def test_every_request_is_sent_once_and_counted_by_the_app(app):
    before = exposed(app, 'http_requests_total{endpoint="/",method="GET"}')
    progress: list[int] = []
    result = run_load(app.url, LoadPlan("/", count=300, concurrency=16), progress=progress.append)
    assert result.statuses == {200: 300} and result.errors == {}
    assert exposed(app, 'http_requests_total{endpoint="/",method="GET"}') - before == 300
    assert progress[-1] == 300 and progress == sorted(progress)
    assert len(result.latencies) == 300
    p50, p95, p99 = (result.percentile(p) for p in (50, 95, 99))
    assert 0 < p50 <= p95 <= p99 <= max(result.latencies)


def test_post_form_data_and_status_counts(app):
    before = exposed(app, "purchase_amount_total")
    good = run_load(app.url, LoadPlan("/purchase", count=8, concurrency=4, method="POST", data={"amount": "2.5"}))
    bad = run_load(app.url, LoadPlan("/purchase", count=3, method="POST", data={"amount": "nan"}))
    assert good.statuses == {200: 8} and bad.statuses == {400: 3}
    assert exposed(app, "purchase_amount_total") - before == 20.0


def test_stop_ends_a_paced_load_early_and_a_dead_port_counts_errors(app):
    stop = threading.Event()
    stop.set()
    assert run_load(app.url, LoadPlan("/", count=1000, rate=10), stop=stop).sent == 0
    dead = run_load(f"http://127.0.0.1:{free_port()}", LoadPlan("/", count=5, concurrency=2))
    assert dead.answered == 0 and dead.errors == {"ConnectError": 5} and dead.percentile(50) is None


@pytest.mark.parametrize("kwargs, problem", [
    ({"path": "nope", "count": 1}, "must start with '/'"),
    ({"path": "/", "count": 0}, "out of range"),
    ({"path": "/", "count": MAX_REQUESTS + 1}, "out of range"),
    ({"path": "/", "count": 1, "concurrency": MAX_CONCURRENCY + 1}, "out of range"),
    ({"path": "/", "count": 1, "method": "DELETE"}, "not supported"),
    ({"path": "/", "count": 1, "rate": 0}, "out of range"),
])
def test_plans_are_bounded(kwargs, problem):
    with pytest.raises(ConfigError, match=problem):
        LoadPlan(**kwargs)


def test_form_pairs_and_loopback_targets():
    assert parse_form(["amount=19.99", "note=a=b"]) == {"amount": "19.99", "note": "a=b"}
    with pytest.raises(ConfigError):
        parse_form(["amount"])
    assert require_loopback("http://127.0.0.1:5000/") == "http://127.0.0.1:5000"
    assert require_loopback("http://localhost:5000") == "http://localhost:5000"
    assert require_loopback("http://[::1]:5000") == "http://[::1]:5000"
    for url in ("http://10.0.0.1:5000", "http://example.com", "ftp://127.0.0.1", "127.0.0.1:5000"):
        with pytest.raises(ConfigError):
            require_loopback(url)


def test_cli_prints_percentiles_and_status_counts(app):
    done = monlab("load", "/purchase", "-n", "20", "-c", "5", "--data", "amount=1.25", "--url", app.url)
    assert done.returncode == 0, done.stderr
    for text in ("latency p50", "latency p95", "latency p99", "status 200", "20 requests"):
        assert text in done.stdout
    assert "Traceback" not in done.stdout + done.stderr


@pytest.mark.parametrize("args, code, text", [
    (["/", "--url", "http://192.0.2.1:5000"], 3, "not on this machine"),
    (["/", "-n", "0", "--url", "http://127.0.0.1:1"], 2, ""),
    (["/", "-c", "1000", "--url", "http://127.0.0.1:1"], 2, ""),
    (["nope", "--url", "http://127.0.0.1:1"], 2, "must start with '/'"),
    (["/", "--method", "PUT", "--url", "http://127.0.0.1:1"], 2, "GET or POST"),
    (["/", "--data", "novalue", "--url", "http://127.0.0.1:1"], 2, "key=value"),
])
def test_cli_refuses_bad_input_without_traceback(args, code, text):
    done = monlab("load", *args)
    assert done.returncode == code, done.stdout + done.stderr
    assert text in done.stdout + done.stderr and "Traceback" not in done.stderr


def test_cli_says_when_the_app_does_not_answer():
    done = monlab("load", "/", "-n", "3", "--url", f"http://127.0.0.1:{free_port()}")
    assert done.returncode == 3 and "did not answer" in done.stderr and "Traceback" not in done.stderr


def test_unanswered_requests_are_counted_and_the_percentiles_say_what_they_cover(app):
    from monlab.lab.kinds.traffic import answered_check
    from monlab.load import LoadResult
    from monlab.load_view import summary_headline, summary_line, summary_table

    dead = run_load(f"http://127.0.0.1:{free_port()}", LoadPlan("/", count=4, concurrency=2))
    assert dead.mostly_unanswered and dead.covers() == "of the 0 answered; 4 of 4 got no answer"
    paused = LoadResult((0.01,) * 16, {200: 16}, {"ReadTimeout": 84}, 30.0)  # the paused app
    line = summary_line(paused)
    assert "84× ReadTimeout" in line and "p95 10 ms (of the 16 answered; 84 of 100 got no answer)" in line
    assert "most got no answer" in summary_headline(paused)
    check = answered_check("load", paused, 200, "monlab status --project p")
    assert check.failed and check.detail.startswith("most requests timed out or got no answer (84 of 100)")
    assert "run `monlab status --project p`" in check.hint
    rows = {row for column in summary_table(paused).columns[:1] for row in column._cells}
    assert {"latency p95 (answered only)", "answered"} <= rows
    healthy = run_load(app.url, LoadPlan("/", count=5))
    assert healthy.covers() == "" and "answered" not in summary_line(healthy)
