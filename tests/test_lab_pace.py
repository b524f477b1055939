"""Labs keep pace with the Prometheus they run against (issue 18, Deliver 2): every wait derives from
the app target's real scrape interval and the rules' evaluation interval, read from Prometheus.
A section passes against a Prometheus scraping every 15 s, and one scraping every minute stops at
once (exit 3) naming the interval and how long the section would take, unless --max-wait allows it."""

from __future__ import annotations

import json
import time
from functools import partial

import pytest

from lab_app_server import served_app
from local_prometheus import running_prometheus
from monlab.catalog import load_catalog
from monlab.lab.model import load_labs
from monlab.lab.pace import DEFAULT_MAX_WAIT_S, pace_problem, section_seconds
from monlab.lab.timing import Timing, evaluation_interval_of, scrape_interval_of
from monlab.prometheus_api import Target, duration_seconds
from monlab.waiting import Outcome, poll
from monlab_cli import monlab as run_monlab


monlab = partial(run_monlab, columns=200)


@pytest.mark.parametrize("text, seconds", [
    ("5s", 5), ("15s", 15), ("1m", 60), ("1m30s", 90), ("500ms", 0.5), ("1h", 3600),
    ("", None), ("5", None), ("fast", None), ("1m 30s", None),
])
def test_prometheus_durations(text, seconds):
    assert duration_seconds(text) == seconds


def target(job: str, interval: float | None) -> Target:
    return Target(job, "h:1", "up", "", "", interval)


@pytest.mark.parametrize("targets, expected", [
    ([target("flask-app", 15), target("prometheus", 60)], 15),  # the app's own job decides
    ([target("web", 15), target("node", 30)], 30),  # no such job (a stack by URL): the slowest
    ([target("flask-app", None)], None),  # an old Prometheus that does not say
    ([], None),
])
def test_scrape_interval_is_the_app_jobs(targets, expected):
    assert scrape_interval_of(targets) == expected


@pytest.mark.parametrize("rules, expected", [
    ({"AppDown": 5.0, "Other": 60.0}, 5.0),  # the catalog's rules decide
    ({"Other": 60.0, "More": 30.0}, 60.0),  # none of ours loaded: the slowest group
    ({}, None),
])
def test_evaluation_interval_is_the_catalog_rules(rules, expected):
    assert evaluation_interval_of(rules, ["AppDown", "HighLatency"]) == expected


def test_a_section_longer_than_max_wait_stops_with_one_sentence_naming_interval_and_duration():
    business = next(lab for lab in load_labs() if lab.name == "business")
    assert pace_problem(business, Timing(5, 5), DEFAULT_MAX_WAIT_S) == ""
    assert pace_problem(business, Timing(15, 15), DEFAULT_MAX_WAIT_S) == ""
    slow = pace_problem(business, Timing(60, 60), DEFAULT_MAX_WAIT_S)
    assert "every 1 min" in slow and "about 3 min" in slow and "--max-wait 3m" in slow
    assert pace_problem(business, Timing(60, 60), 180) == ""


def test_every_section_fits_the_default_max_wait_at_15_s_and_none_at_1_min():
    labs = load_labs()
    assert all(section_seconds(lab, Timing(15, 15)) <= DEFAULT_MAX_WAIT_S for lab in labs)
    assert all(section_seconds(lab, Timing(60, 60)) > DEFAULT_MAX_WAIT_S for lab in labs)
    assert all(section_seconds(lab, Timing(5, 5)) < section_seconds(lab, Timing(15, 15)) for lab in labs)


@pytest.mark.parametrize("value", ["soon", "-5", "0", "5 min"])
def test_a_bad_max_wait_is_a_usage_error(value):
    done = monlab("lab", "business", "--max-wait", value, "--prometheus", "http://127.0.0.1:9", "--app", "http://127.0.0.1:9")
    assert done.returncode == 2 and "--max-wait" in done.stderr and "Traceback" not in done.stderr


def prometheus_yml(interval: str, app_port: int) -> str:
    scrape = f"global: {{scrape_interval: {interval}, evaluation_interval: {interval}}}\n" if interval else ""
    return scrape + f"scrape_configs:\n  - job_name: flask-app\n    static_configs: [{{targets: ['127.0.0.1:{app_port}']}}]\n"


def first_scrape(api) -> None:
    assert poll(lambda: Outcome(api.query_value('up{job="flask-app"}') == 1), timeout=90, interval=0.5).done


@pytest.mark.prometheus
def test_a_section_by_url_passes_against_a_prometheus_scraping_every_15_s(prometheus_binary, tmp_path):
    with served_app(1, tmp_path) as app:
        (tmp_path / "prometheus.yml").write_text(prometheus_yml("15s", app.port))
        with running_prometheus(prometheus_binary, tmp_path / "prometheus.yml", tmp_path) as api:
            first_scrape(api)
            alerts = [a.name for a in load_catalog().alerts]
            assert Timing.of_prometheus(api, alerts, Timing(5, 5)).scrape_interval == 15  # read, not assumed
            done = monlab("lab", "business", "--json", "--prometheus", api.base_url, "--app", app.url)
    assert done.returncode == 0, done.stdout + done.stderr
    business = json.loads(done.stdout)["labs"][0]
    assert business["passed"] and business["figures"]["revenue_last_hour"]["value"] >= 90


@pytest.mark.prometheus
def test_a_section_by_url_against_prometheus_defaults_stops_at_once_with_exit_3(prometheus_binary, tmp_path):
    """The lecture's own prometheus.yml has no `global:`: Prometheus scrapes every minute."""
    with served_app(1, tmp_path) as app:
        (tmp_path / "prometheus.yml").write_text(prometheus_yml("", app.port))
        with running_prometheus(prometheus_binary, tmp_path / "prometheus.yml", tmp_path) as api:
            assert poll(lambda: Outcome(bool(api.targets())), timeout=30, interval=0.2).done
            started = time.monotonic()
            done = monlab("lab", "business", "--json", "--prometheus", api.base_url, "--app", app.url)
            took = time.monotonic() - started
    assert done.returncode == 3, done.stdout + done.stderr
    (check,) = json.loads(done.stdout)["labs"][0]["checks"]
    assert "every 1 min" in check["detail"] and "about 3 min" in check["detail"] and "--max-wait 3m" in check["detail"]
    assert took < 15  # at once: no scrape was waited for
