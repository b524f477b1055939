"""The rendered Prometheus files pass Debian's real promtool, and a broken catalog query does not."""

from __future__ import annotations

import dataclasses
import subprocess
from pathlib import Path

import pytest

from monlab.catalog import Catalog, load_catalog
from monlab.render import RenderContext, render_stack, write_rendered

pytestmark = pytest.mark.prometheus


def promtool(binary: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([binary, *args], capture_output=True, text=True, timeout=60)


def render_to(tmp_path: Path, catalog: Catalog) -> Path:
    write_rendered(render_stack(RenderContext(), catalog), tmp_path)
    return tmp_path / "prometheus"


def with_alert_query(catalog: Catalog, name: str, query: str) -> Catalog:
    sections = tuple(
        dataclasses.replace(s, alerts=tuple(dataclasses.replace(a, query=query) if a.name == name else a for a in s.alerts))
        for s in catalog.sections
    )
    return Catalog(sections)


def test_check_config_passes_with_rule_files(tmp_path, promtool_binary):
    root = render_to(tmp_path, load_catalog())
    result = promtool(promtool_binary, "check", "config", str(root / "prometheus.yml"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{len(load_catalog().alerts)} rules found" in result.stdout + result.stderr


def test_check_rules_passes(tmp_path, promtool_binary):
    root = render_to(tmp_path, load_catalog())
    result = promtool(promtool_binary, "check", "rules", str(root / "rules" / "monlab-alerts.yml"))
    assert result.returncode == 0, result.stdout + result.stderr


def test_an_invalid_catalog_query_fails_both_checks(tmp_path, promtool_binary):
    broken = with_alert_query(load_catalog(), "HighLatency", "rate(http_requests_total[1m]")
    root = render_to(tmp_path, broken)
    for args in (("check", "config", str(root / "prometheus.yml")), ("check", "rules", str(root / "rules" / "monlab-alerts.yml"))):
        result = promtool(promtool_binary, *args)
        assert result.returncode != 0
        output = result.stdout + result.stderr
        assert '"HighLatency": could not parse expression' in output
