"""Outside text is text: a label value carrying terminal escape sequences and `<&"` from a real
Prometheus reaches `dashboard --once` (stdout and SVG) and the HTML report only as visible text."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import unicodedata
import xml.etree.ElementTree as ElementTree
from html.parser import HTMLParser

import pytest
import yaml

from conftest import require
from local_prometheus import running_prometheus
from monlab.catalog import load_catalog
from monlab.lab.model import load_labs
from monlab.lab.results import CheckResult, LabResult, RunInfo, report
from monlab.report.build import SectionRun, render_html, section_pages
from monlab.shown_text import printable, xml_text
from monlab.waiting import Outcome, poll

HOSTILE = '\x1b[31mred\x1b[0m<b>&"x"</b>\x07\x9b2J'
SHOWN = '␛[31mred␛[0m<b>&"x"</b>␇\ufffd2J'  # what a person sees of it
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"]


@pytest.mark.parametrize("text, shown", [
    ("plain /path {a}", "plain /path {a}"),
    ("é ünïcode €", "é ünïcode €"),
    ("\x1b[2J", "␛[2J"),
    ("a\tb", "a b"),
    ("line\nbreak\r", "line␊break␍"),
    ("\x00\x7f", "␀␡"),
    ("\x9b31m", "\ufffd31m"),  # C1 CSI: a terminal reads it as ESC [
    ("abc\u202edcba", "abc\ufffddcba"),  # a bidi override would reorder what follows
    ("lone \ud800", "lone \ufffd"),  # from JSON's \ud800: would fail to encode
])
def test_printable(text, shown):
    assert printable(text) == shown
    printable(text).encode("utf-8")  # never an encoding error when written


def test_xml_text_escapes_markup_and_leaves_only_characters_xml_allows():
    shown = xml_text(HOSTILE)
    root = ElementTree.fromstring(f'<t a="{shown}">{shown}</t>')
    assert root.text == SHOWN and root.get("a") == SHOWN


def control_characters(text: str) -> set[str]:
    return {c for c in text if unicodedata.category(c) == "Cc" and c != "\n"}


@pytest.fixture(scope="module")
def hostile_prometheus(prometheus_binary, tmp_path_factory):
    """A real Prometheus whose only target (nothing listens there: `up` is 0) has the job label
    HOSTILE, so the scrape-health panel's legend ({{job}}) is that text."""
    tmp = tmp_path_factory.mktemp("hostile")
    config = {"global": {"scrape_interval": "1s", "scrape_timeout": "1s"},
              "scrape_configs": [{"job_name": "victim", "static_configs": [{"targets": ["127.0.0.1:1"]}],
                                  "relabel_configs": [{"target_label": "job", "replacement": HOSTILE}]}]}
    (tmp / "prometheus.yml").write_text(yaml.safe_dump(config))
    with running_prometheus(prometheus_binary, tmp / "prometheus.yml", tmp) as api:
        def three_scrapes() -> Outcome:
            return Outcome((api.query_value("count_over_time(up[1m])") or 0) >= 3)

        seen = poll(three_scrapes, timeout=30, interval=0.5)
        assert seen.done, "prometheus did not scrape its target three times"
        [series] = api.query_range("up", time.time() - 30, time.time(), 1)
        assert series.labels["job"] == HOSTILE  # the hostile text really is in Prometheus
        yield api


@pytest.mark.prometheus
def test_dashboard_once_shows_a_hostile_label_as_text_on_stdout_and_in_valid_svg(hostile_prometheus, tmp_path):
    svg = tmp_path / "d.svg"
    done = subprocess.run([sys.executable, "-m", "monlab", "dashboard", "--once", "--section", "reliability",
                           "--range", "5m", "--svg", str(svg), "--prometheus-url", hostile_prometheus.base_url],
                          capture_output=True, text=True, timeout=60, env={**os.environ, "COLUMNS": "200"})
    assert done.returncode == 0, done.stderr
    assert not control_characters(done.stdout), sorted(control_characters(done.stdout))
    assert "␛[31mred␛[0m<b>&" in done.stdout  # the legend, shown literally
    root = ElementTree.parse(svg).getroot()  # valid XML
    text = "".join(root.itertext()).replace("\xa0", " ")
    assert "␛[31mred␛[0m<b>&" in text and not control_characters(text)


@pytest.mark.prometheus
def test_report_shows_hostile_text_literally_in_chromium(hostile_prometheus, tmp_path):
    catalog = load_catalog()
    lab = next(lab for lab in load_labs(catalog) if lab.name == "reliability")
    result = LabResult("reliability", [CheckResult(f"check {HOSTILE}", True, f"detail {HOSTILE}")])
    now = time.time()
    pages = section_pages([SectionRun(lab, result, now - 20, now)], catalog, hostile_prometheus)
    html = render_html(pages, report([result], RunInfo(f"project {HOSTILE}", "offline", now - 20, now)), f"project {HOSTILE}")
    assert not control_characters(html)
    svgs = [html[start:html.index("</svg>", start) + 6] for start in _starts(html, "<svg")]
    assert svgs and all(ElementTree.fromstring(svg).tag.endswith("svg") for svg in svgs)  # each one valid XML
    legends = [t.text for svg in svgs for t in ElementTree.fromstring(svg).iter() if t.get("class") == "legend"]
    assert any(legend.startswith(SHOWN) for legend in legends), legends

    page = tmp_path / "index.html"
    page.write_text(html)
    binary = shutil.which("chromium")
    require(binary is not None, "Debian's chromium")
    dom = subprocess.run([binary, *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile'}", "--dump-dom",
                          page.as_uri()], capture_output=True, text=True, timeout=120)
    assert dom.returncode == 0, dom.stderr[-2000:]
    texts = Texts()
    texts.feed(dom.stdout)
    assert f"check {SHOWN}" in texts.text and f"detail {SHOWN}" in texts.text  # shown as typed
    assert "b" not in texts.tags  # no element was made from the label's <b>


def _starts(text: str, needle: str) -> list[int]:
    found, at = [], text.find(needle)
    while at >= 0:
        found.append(at)
        at = text.find(needle, at + 1)
    return found


class Texts(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text = ""
        self.tags: set[str] = set()

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)

    def handle_data(self, data):
        self.text += data


def test_rich_markup_in_a_panel_title_or_error_is_shown_as_typed():
    from rich.console import Console

    from monlab.catalog import Panel
    from monlab.dashboard.data import PanelData
    from monlab.dashboard.render import panel_box

    console = Console(width=80, record=True, color_system=None)
    console.print(panel_box(PanelData(Panel("p", "[bold]t[/bold] \x1b[2J", "up"), error="bad [red]x[/red]"), 60))
    text = console.export_text()
    assert "[bold]t[/bold] ␛[2J" in text and "bad [red]x[/red]" in text
