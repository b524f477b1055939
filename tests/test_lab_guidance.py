"""Where a section tells a student to look names what the stack has, and every link it prints opens."""

from __future__ import annotations

import io
import os
import shutil

import pytest
from rich.console import Console

from lab_fixtures import FAST, local_stack
from monlab.catalog import load_catalog
from monlab.lab.guidance import CLASSIC_UI, graph_url, look_at, ui_prefix
from monlab.lab.model import load_labs
from monlab.lab.runner import run_lab
from monlab.lab.view import LabView
from monlab.stackinfo import ServiceInfo, StackInfo
from printed_urls import broken_urls, look_at_blocks, printed_urls


def stack_info(project: str, grafana: bool) -> StackInfo:
    services = {"app": ServiceInfo("app", "running", "http://127.0.0.1:5000"),
                "prometheus": ServiceInfo("prometheus", "running", "http://127.0.0.1:9090")}
    if grafana:
        services["grafana"] = ServiceInfo("grafana", "running", "http://127.0.0.1:3000")
    return StackInfo(project, services, mode="online" if grafana else "offline")


@pytest.mark.parametrize("pages, prefix", [
    ({"/targets", "/graph"}, ""),  # Prometheus 3, upstream 2.x
    ({"/classic/targets", "/classic/graph"}, CLASSIC_UI),  # Debian's 2.42: no React UI
    (set(), ""),  # nothing answers: the current UI's paths
])
def test_ui_prefix_follows_what_the_server_serves(pages, prefix):
    assert ui_prefix(lambda path: path in pages) == prefix


@pytest.mark.parametrize("project, grafana, has, lacks", [
    ("monlab", False, ["monlab dashboard --section performance", "http://127.0.0.1:9090/classic/graph?g0.expr="],
     ["Grafana", "--project"]),
    ("class1", False, ["monlab dashboard --section performance --project class1", "g2.expr="], ["Grafana"]),
    ("monlab", True, ['Grafana, row "§5 Performance Optimization": http://127.0.0.1:3000/d/'], ["monlab dashboard"]),
    ("http://10.0.0.5:9090", False, ["monlab dashboard --section performance --prometheus-url http://10.0.0.5:9090"], ["Grafana"]),
])
def test_look_at_names_only_what_the_stack_has(project, grafana, has, lacks):
    catalog = load_catalog()
    section = catalog.section("performance")
    info = stack_info(project, grafana)
    text = "\n".join(look_at(section, list(section.panels), info, CLASSIC_UI,
                             "http://127.0.0.1:3000/d/monlab-lecture/x" if grafana else ""))
    assert section.look_at in text
    assert all(s in text for s in has) and not any(s in text for s in lacks), text


def test_graph_url_holds_one_graph_per_panel():
    url = graph_url("http://p:9090", "", ["up", "rate(x[1m])"])
    assert url == "http://p:9090/graph?g0.expr=up&g0.tab=0&g0.range_input=15m&g1.expr=rate%28x%5B1m%5D%29&g1.tab=0&g1.range_input=15m"


@pytest.mark.prometheus
def test_every_url_a_lab_prints_opens_on_debians_prometheus(prometheus_binary, tmp_path):
    """All sections on real processes (Debian's Prometheus 2.42, which has only its classic UI):
    no line mentions Grafana, and every printed link answers 200 without losing its query."""
    catalog = load_catalog()
    out = io.StringIO()
    view = LabView(Console(file=out, width=200, color_system=None))
    with local_stack(prometheus_binary, tmp_path) as stack:
        for lab in load_labs(catalog):
            run_lab(lab, stack, catalog, view, timing=FAST)
        text = out.getvalue()
        urls = printed_urls(text)
        broken = broken_urls(urls)
    guidance = look_at_blocks(text)
    assert len(guidance) == len(catalog.sections) and not any("Grafana" in block for block in guidance), guidance
    assert any("/classic/graph?" in u for u in urls) and any(u.endswith("/classic/targets") for u in urls), urls
    assert not broken, broken
