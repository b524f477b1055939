"""`monlab render --out` through the real CLI entry point, and the on-disk rules behind it."""

from __future__ import annotations


import pytest

from monlab.errors import ConfigError
from monlab.render import RenderContext, render_stack, write_rendered
from monlab.render.output import MARKER
from monlab_cli import monlab

EXPECTED = [
    "prometheus/prometheus.yml",
    "prometheus/rules/monlab-alerts.yml",
    "grafana/provisioning/datasources/monlab.yml",
    "grafana/provisioning/dashboards/monlab.yml",
    "grafana/provisioning/alerting/monlab-alerts.yml",
    "grafana/dashboards/lecture.json",
]


def test_render_writes_every_file_and_says_so(tmp_path):
    out = tmp_path / "out"
    result = monlab("render", "--out", str(out))
    assert result.returncode == 0, result.stderr
    for relative in EXPECTED:
        assert (out / relative).is_file()
        assert f"wrote {out / relative}" in result.stdout
    assert (out / "prometheus" / "prometheus.yml").read_text() == render_stack(RenderContext())["prometheus"]["prometheus.yml"]


def test_render_again_into_a_previous_render_is_allowed(tmp_path):
    assert monlab("render", "--out", str(tmp_path)).returncode == 0
    mine = tmp_path / "notes.txt"
    mine.write_text("kept")
    result = monlab("render", "--out", str(tmp_path), "--project", "other")
    assert result.returncode == 0, result.stderr
    assert "# Project: other" in (tmp_path / "prometheus" / "prometheus.yml").read_text()
    assert mine.read_text() == "kept"


def test_a_foreign_non_empty_dir_is_refused_with_exit_3_and_no_traceback(tmp_path):
    precious = tmp_path / "prometheus.yml"
    precious.write_text("my own config\n")
    result = monlab("render", "--out", str(tmp_path))
    assert result.returncode == 3
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().count("\n") == 0
    assert "not empty" in result.stderr and "previous monlab render" in result.stderr
    assert precious.read_text() == "my own config\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["prometheus.yml"]


def test_a_bad_project_name_is_a_usage_error(tmp_path):
    result = monlab("render", "--out", str(tmp_path / "x"), "--project", "Not Valid")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert not (tmp_path / "x").exists()


def test_missing_out_is_a_usage_error():
    assert monlab("render").returncode == 2


def test_rewrite_removes_only_files_the_previous_render_wrote(tmp_path):
    write_rendered({"prometheus": {"a.yml": "1", "rules/old.yml": "2"}}, tmp_path)
    (tmp_path / "prometheus" / "rules" / "mine.yml").write_text("user file")
    write_rendered({"prometheus": {"a.yml": "3"}}, tmp_path)
    assert (tmp_path / "prometheus" / "a.yml").read_text() == "3"
    assert not (tmp_path / "prometheus" / "rules" / "old.yml").exists()
    assert (tmp_path / "prometheus" / "rules" / "mine.yml").read_text() == "user file"
    assert (tmp_path / MARKER).is_file()


def test_a_rendered_file_edited_since_is_kept_unless_forced(tmp_path):
    out = tmp_path / "out"
    assert monlab("render", "--out", str(out)).returncode == 0
    config = out / "prometheus" / "prometheus.yml"
    config.write_text("# my own scrape settings\n")
    again = monlab("render", "--out", str(out))
    assert again.returncode == 3 and "Traceback" not in again.stderr
    assert "prometheus/prometheus.yml" in again.stderr and "--force" in again.stderr
    assert config.read_text() == "# my own scrape settings\n"
    forced = monlab("render", "--out", str(out), "--force")
    assert forced.returncode == 0, forced.stderr
    assert "scrape_configs" in config.read_text()


def test_a_render_marker_of_an_older_monlab_still_lets_a_render_replace_its_files(tmp_path):
    (tmp_path / "prometheus").mkdir()
    (tmp_path / "prometheus" / "a.yml").write_text("old")
    (tmp_path / MARKER).write_text('{"files": ["prometheus/a.yml"]}')  # a list, no checksums
    write_rendered({"prometheus": {"a.yml": "new"}}, tmp_path)
    assert (tmp_path / "prometheus" / "a.yml").read_text() == "new"


def test_out_that_is_a_file_is_refused(tmp_path):
    target = tmp_path / "file"
    target.write_text("x")
    with pytest.raises(ConfigError, match="is a file"):
        write_rendered({"prometheus": {"a.yml": "1"}}, target)


def test_port_offset_and_bind_reach_the_dashboard_links_like_up(tmp_path):
    result = monlab("render", "--out", str(tmp_path / "out"), "--bind", "0.0.0.0", "--port-offset", "100")
    assert result.returncode == 0, result.stderr
    rules = (tmp_path / "out" / "prometheus" / "rules" / "monlab-alerts.yml").read_text()
    assert "http://127.0.0.1:3100/d/monlab-lecture/" in rules
    assert ":3000/" not in rules
