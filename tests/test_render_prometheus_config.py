"""prometheus.yml and the Prometheus rule file as rendered from the template and the catalog."""

from __future__ import annotations

import pytest
import yaml

from monlab.catalog import load_catalog
from monlab.errors import ConfigError
from monlab.render import RenderContext, render_stack
from monlab.render.templating import render_template


@pytest.fixture(scope="module")
def prometheus_files():
    return render_stack(RenderContext(), load_catalog())["prometheus"]


def test_template_with_a_missing_value_is_an_error_not_an_empty_string(tmp_path):
    (tmp_path / "t.j2").write_text("target: {{ app_target }} every {{ interval }}\n")
    assert render_template("t.j2", tmp_path, app_target="app:5000", interval="5s") == "target: app:5000 every 5s\n"
    with pytest.raises(ConfigError, match="interval"):
        render_template("t.j2", tmp_path, app_target="app:5000")


def test_shipped_template_needs_every_value():
    with pytest.raises(ConfigError, match="undefined"):
        render_template("prometheus.yml.j2", generated="x", project="p")


def test_missing_template_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="missing"):
        render_template("nope.j2", tmp_path)


def test_both_lecture_jobs_scrape_the_app_by_service_name(prometheus_files):
    config = yaml.safe_load(prometheus_files["prometheus.yml"])
    jobs = {job["job_name"]: job for job in config["scrape_configs"]}
    assert set(jobs) == {"flask-app", "flask-app-uptime"}
    assert jobs["flask-app"]["metrics_path"] == "/metrics"
    # "/" is not exposition text: the lecture's literal uptime job is always down.
    assert jobs["flask-app-uptime"]["metrics_path"] == "/healthz"
    for job in jobs.values():
        assert job["static_configs"] == [{"targets": ["app:8000"]}]  # gunicorn master's side server, never queued


def test_intervals_and_relative_rule_files(prometheus_files):
    config = yaml.safe_load(prometheus_files["prometheus.yml"])
    assert config["global"] == {"scrape_interval": "1s", "scrape_timeout": "1s", "evaluation_interval": "1s"}
    assert config["rule_files"] == ["rules/*.yml"]
    assert "rules/monlab-alerts.yml" in prometheus_files


def test_context_values_reach_the_file():
    ctx = RenderContext(app_target="10.1.2.3:5999", scrape_interval="2s", scrape_timeout="1s", evaluation_interval="3s")
    config = yaml.safe_load(render_stack(ctx)["prometheus"]["prometheus.yml"])
    assert config["global"]["scrape_interval"] == "2s" and config["global"]["evaluation_interval"] == "3s"
    assert {t for job in config["scrape_configs"] for t in job["static_configs"][0]["targets"]} == {"10.1.2.3:5999"}


def test_rules_come_from_the_catalog():
    catalog = load_catalog()
    rules = yaml.safe_load(render_stack(RenderContext(), catalog)["prometheus"]["rules/monlab-alerts.yml"])
    rendered = {r["alert"]: r for group in rules["groups"] for r in group["rules"]}
    assert set(rendered) == {a.name for a in catalog.alerts}
    for alert in catalog.alerts:
        rule = rendered[alert.name]
        assert rule["expr"] == alert.expr
        assert rule["for"] == alert.for_
        assert rule["labels"]["severity"] == alert.severity
        assert rule["annotations"]["summary"] == alert.summary
        if alert.panel:
            assert "/d/monlab-lecture/" in rule["annotations"]["dashboard"]
    assert rendered["AppDown"]["expr"] == 'up{job="flask-app-uptime"} < 1'


@pytest.mark.parametrize("changes, problem", [
    ({"scrape_timeout": "10s"}, "longer than the scrape interval"),
    ({"scrape_interval": "soon"}, "duration"),
    ({"grafana_rule_interval": "15s"}, "multiple of 10s"),
    ({"app_target": "app"}, "no port"),
    ({"evaluation_interval": "0s"}, "longer than 0s"),
])
def test_context_rejects_values_prometheus_or_grafana_would_reject(changes, problem):
    with pytest.raises(ConfigError, match=problem):
        RenderContext(**changes)
