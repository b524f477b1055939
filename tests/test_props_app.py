"""Issue 10, bullet 6: generated HTTP input at the lab app (Flask's test client, in-process).
No input gives a 500 (except /simulate-error, whose random 500 is the lecture's point); a refused
input (400, 404, 405) changes no metric except the request counters of a known route."""

from __future__ import annotations

import importlib

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from lab_app_metrics import parse_exposition
from monlab.resources import app_source_dir

KNOWN = ["/", "/login", "/purchase", "/metrics", "/healthz", "/simulate-load"]
REQUEST_METRICS = ("http_requests_total", "http_request_duration_seconds")

text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)
amounts = st.one_of(text, st.floats(allow_nan=True, allow_infinity=True).map(str), st.integers().map(str),
                    st.sampled_from(["nan", "inf", "-0", "1e308", "0.001", "12.345", " 5 ", "5,00", "0x10", "1_000"]))
paths = st.one_of(st.sampled_from(KNOWN), text.map(lambda t: "/" + t.replace("?", "").replace("#", "")))
forms = st.dictionaries(st.sampled_from(["amount", "password", "user", "x"]), amounts, max_size=3)


@pytest.fixture(scope="module")
def client():
    with pytest.MonkeyPatch.context() as patch:
        patch.syspath_prepend(str(app_source_dir()))
        patch.delenv("PROMETHEUS_MULTIPROC_DIR", raising=False)
        module = importlib.import_module("app")
        yield module.create_app().test_client()


def scrape(client):
    return parse_exposition(client.get("/metrics").get_data(as_text=True))


def business(samples):
    return {k: v for k, v in samples.items() if not k[0].startswith(REQUEST_METRICS)}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(method=st.sampled_from(["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"]), path=paths, form=forms)
def test_no_input_is_a_server_error_and_refused_input_counts_nothing(client, method, path, form):
    before = scrape(client)
    response = client.open(path, method=method, data=form)
    after = scrape(client)
    assert response.status_code < 500, (method, path, form, response.status_code)
    if response.status_code in (404, 405):
        assert after == before  # not even a request series for an unknown route or method
    elif response.status_code == 400:
        assert business(after) == business(before)
        assert {k for k in after if k[0].startswith(REQUEST_METRICS)} == {k for k in before if k[0].startswith(REQUEST_METRICS)}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(amount=amounts)
def test_a_purchase_either_adds_its_amount_or_is_refused_and_adds_nothing(client, amount):
    key = ("purchase_amount_total", frozenset())
    before = scrape(client).get(key, 0.0)
    response = client.post("/purchase", data={"amount": amount})
    after = scrape(client).get(key, 0.0)
    assert response.status_code in (200, 400), response.status_code
    if response.status_code == 400:
        assert after == before
    else:
        assert after >= before and after == after  # never shrinks, never NaN
