"""`monlab lab ... --report DIR` as a teacher sees it: every shipped section run for real on local
processes (tests/lab_fixtures.py: the app under gunicorn, Debian's prometheus), the page written by
the same functions the CLI uses, then opened in Debian's headless chromium with no network."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
import xml.etree.ElementTree as ElementTree
from html.parser import HTMLParser

import pytest
from markupsafe import escape

from conftest import require
from lab_fixtures import FAST, local_stack, quiet_view
from printed_urls import URL
from results_schema import E_NOTATION, validate_results
from monlab.catalog import load_catalog
from monlab.chart_panels import Threshold
from monlab.lab.model import load_labs
from monlab.lab.results import RunInfo, report
from monlab.lab.runner import run_lab
from monlab.prometheus_api import PrometheusAPI
from monlab.report.build import SectionRun, render_html, report_panels, section_pages, write_report
from monlab.report.svg_chart import ChartSeries, svg_line_chart

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--enable-logging=stderr", "--v=0"]


@pytest.fixture(scope="module")
def written(prometheus_binary, tmp_path_factory):
    """The report of every shipped section, run for real: (directory, runs, results as --json)."""
    tmp = tmp_path_factory.mktemp("lab-report")
    catalog = load_catalog()
    (tmp / "stack").mkdir()
    with local_stack(prometheus_binary, tmp / "stack") as stack:
        view, _ = quiet_view()
        runs = []
        for lab in load_labs(catalog):
            started = time.time()
            result = run_lab(lab, stack, catalog, view, timing=FAST)
            result.started, result.ended = started, time.time()
            runs.append(SectionRun(lab, result, started, result.ended))
        full = report([run.result for run in runs], RunInfo("local", "offline", runs[0].started, runs[-1].ended))
        with PrometheusAPI(stack.prometheus_url) as api:
            pages = section_pages(runs, catalog, api)
        write_report(tmp / "report", full, render_html(pages, full, "local"))
    return tmp / "report", runs, full


class Collect(HTMLParser):
    """Tags and attributes of the page, and whether it refers to anything outside itself."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


@pytest.mark.prometheus
def test_results_json_is_what_json_prints_and_every_section_passed(written):
    directory, runs, full = written
    assert json.loads((directory / "results.json").read_text()) == full
    validate_results(full, "offline", "local")
    assert full["passed"], [(lab["name"], c) for lab in full["labs"] for c in lab["checks"] if c["passed"] is False]
    assert [lab["name"] for lab in full["labs"]] == [s.name for s in load_catalog().sections]


@pytest.mark.prometheus
def test_page_is_self_contained_with_every_check_figure_table_and_chart(written):
    directory, runs, _ = written
    html = (directory / "index.html").read_text()
    parser = Collect()
    parser.feed(html)
    for tag, attrs in parser.tags:  # nothing to fetch: no scripts, stylesheets, images or links out
        assert tag not in ("script", "link", "img", "iframe"), tag
        assert not any(str(v).startswith(("http:", "https:", "//")) for k, v in attrs.items() if k in ("src", "href")), attrs
    catalog = load_catalog()
    for run in runs:
        for check in run.result.checks:
            assert str(escape(check.name)) in html and str(escape(check.detail)) in html, check.name
            if check.failed and check.hint:
                assert f"hint: {escape(check.hint)}" in html
        for name in run.result.figures:
            assert f"<code>{name}</code>" in html
        for panel in report_panels(run.lab, catalog):
            assert f'data-panel="{panel.id}"' in html
    assert "/simulate-load before and after" in html and "improved app" in html
    capacity = html[html.index('data-panel="total-request-rate"'):]
    assert 'class="threshold"' in capacity.split("</figure>")[0]  # HighRequestRate's line on its panel
    assert html.count('<svg xmlns="http://www.w3.org/2000/svg" class="chart"') == sum(
        len(report_panels(run.lab, catalog)) for run in runs)
    assert 'class="error"' not in html  # every range query answered
    figures = {chunk.split('"')[0]: chunk.split("</figure>")[0] for chunk in html.split('data-panel="')[1:]}
    empty = {panel for panel, figure in figures.items() if 'class="nodata"' in figure}
    # error-ratio is 0/0 (no data) while no request is made during §4, as in Grafana; the charts the
    # sections draw for their point all have data
    charted = {s.params.panel.id for run in runs for s in run.lab.steps if s.kind == "chart"}
    assert empty <= {"error-ratio"} and not empty & charted, empty
    for panel in empty:  # and says why in one line
        assert "no data: no traffic in the window" in figures[panel]


@pytest.mark.prometheus
def test_the_redeploy_of_section_9_is_marked_on_its_chart(written):
    directory, runs, _ = written
    html = (directory / "index.html").read_text()
    section = html[html.index('id="improvement"'):]
    figure = section[section.index('data-panel="latency-before-after"'):].split("</figure>")[0]
    root = ElementTree.fromstring(figure[figure.index("<svg"):figure.index("</svg>") + 6])
    ns = "{http://www.w3.org/2000/svg}"
    lines = [e for e in root.iter(f"{ns}line") if e.get("class") == "restart"]
    [note] = [t.text for t in root.iter(f"{ns}text") if "restart-legend" in (t.get("class") or "")]
    # §9 redeploys twice: the lecture's app to start from, then the improved one
    assert len(lines) == 2 and note.startswith("the app restarted at "), note
    run = next(run for run in runs if run.lab.name == "improvement")
    for shown in note.removeprefix("the app restarted at ").removesuffix(" UTC").split(", "):
        assert time.strftime("%H:%M:%S", time.gmtime(run.started)) <= shown <= time.strftime("%H:%M:%S", time.gmtime(run.ended + 1))
    before = html[:html.index('id="improvement"')]
    assert 'class="restart"' not in before.split('id="business"')[1]  # nothing restarted during §8


def chromium(*args: str, tmp) -> subprocess.CompletedProcess:
    binary = shutil.which("chromium")
    require(binary is not None, "Debian's chromium")
    return subprocess.run([binary, *CHROMIUM_FLAGS, f"--user-data-dir={tmp / 'profile'}", *args],
                          capture_output=True, text=True, timeout=120)


@pytest.mark.prometheus
def test_headless_chromium_renders_every_sections_chart_without_console_errors(written, tmp_path):
    directory, runs, _ = written
    url = (directory / "index.html").resolve().as_uri()
    dom = chromium("--dump-dom", url, tmp=tmp_path)
    assert dom.returncode == 0, dom.stderr[-2000:]
    for run in runs:
        start = dom.stdout.index(f'id="{run.lab.name}"')
        section = dom.stdout[start:dom.stdout.find("</section>", start)]
        assert section.count("<svg") == len(report_panels(run.lab, load_catalog())) >= 1, run.lab.name
        assert "<polyline" in section or "<circle" in section, run.lab.name
    screenshot = tmp_path / "report.png"
    shot = chromium(f"--screenshot={screenshot}", "--window-size=1200,2000", url, tmp=tmp_path)
    assert shot.returncode == 0, shot.stderr[-2000:]
    assert screenshot.stat().st_size > 20_000  # a page with charts, not a blank one
    assert screenshot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    for log in (dom.stderr, shot.stderr):
        assert "Uncaught" not in log and "ERROR:CONSOLE" not in log, log[-2000:]
    shutil.copy(screenshot, directory / "screenshot.png")  # for a person to look at


@pytest.mark.parametrize("series, polylines, circles", [
    ([ChartSeries("a", [(0, 1), (1, 2), (2, 3)])], 1, 0),
    ([ChartSeries("a", [(0, 1), (1, float("nan")), (2, 3), (3, 4)])], 1, 1),  # a gap splits the line
    ([ChartSeries("a", [(0, 1), (1, 1)]), ChartSeries("b", [(0, 0), (1, 2)])], 2, 0),
    ([ChartSeries("a", [])], 0, 0),
])
def test_svg_chart_is_valid_svg_with_a_line_per_finite_run(series, polylines, circles):
    svg = svg_line_chart(series, width=300, height=120, title="t <&>")
    root = ElementTree.fromstring(svg)
    ns = "{http://www.w3.org/2000/svg}"
    assert len(root.findall(f"{ns}polyline")) == polylines and len(root.findall(f"{ns}circle")) == circles
    for line in root.findall(f"{ns}polyline"):
        for pair in line.get("points").split():
            x, y = map(float, pair.split(","))
            assert 78 <= x <= 300 - 12 and 10 <= y <= 120 - 26  # inside the plot area
    legend = [t.text for t in root.findall(f"{ns}text") if t.get("class") == "legend"]
    lasts = [next((f"{v:g}" for _, v in reversed(s.points) if v == v), "no data") for s in series]
    assert legend == ([f"{s.name}  {last}" for s, last in zip(series, lasts)] if any(s.points for s in series) else [])


NS = "{http://www.w3.org/2000/svg}"


def threshold_legend(svg: str) -> list[str]:
    return [t.text for t in ElementTree.fromstring(svg).iter(f"{NS}text") if "threshold-legend" in (t.get("class") or "")]


def test_svg_chart_draws_a_threshold_inside_the_range():
    svg = svg_line_chart([ChartSeries("rate", [(0, 1), (10, 9)])], width=300, height=120,
                         thresholds=[Threshold("HighRequestRate", ">", 5)])
    [line] = [e for e in ElementTree.fromstring(svg).iter(f"{NS}line") if e.get("class") == "threshold"]
    assert float(line.get("y1")) == pytest.approx(10 + (1 - 4 / 8) * 84, abs=0.1)
    assert threshold_legend(svg) == ["alert HighRequestRate when > 5"]
    near = svg_line_chart([ChartSeries("rate", [(0, 1), (10, 2)])], width=300, height=120,
                          thresholds=[Threshold("X", ">", 2.8)])
    assert ">2.8</text>" in near  # the range grows to show a threshold near the data


def test_svg_chart_marks_a_threshold_far_above_at_the_edge_without_flattening_the_data():
    svg = svg_line_chart([ChartSeries("p95", [(0, 0.12), (10, 0.25)])], height=120,
                         label=lambda v: f"{v:g} s", thresholds=[Threshold("HighLatency", ">", 1)])
    root = ElementTree.fromstring(svg)
    assert not [e for e in root.iter(f"{NS}line") if e.get("class") == "threshold"]
    [arrow] = [e for e in root.iter(f"{NS}polygon") if e.get("class") == "threshold-above"]
    ys = [float(pair.split(",")[1]) for pair in arrow.get("points").split()]
    assert min(ys) >= 10 and max(ys) <= 10 + 84  # at the plot's top edge
    xs = [float(pair.split(",")[0]) for pair in arrow.get("points").split()]
    assert 530 - 12 <= min(xs) and max(xs) <= 530  # beside the plot, over no data
    [line] = root.iter(f"{NS}polyline")
    ys = [float(pair.split(",")[1]) for pair in line.get("points").split()]
    assert max(ys) - min(ys) == pytest.approx(84, abs=0.5)  # the data still spans the plot's height
    assert threshold_legend(svg) == ["alert HighLatency when > 1 s (above the chart)"]


def test_svg_chart_labels_fit_inside_the_picture():
    name = "a very long legend name that would run past the right edge of the chart " * 2
    svg = svg_line_chart([ChartSeries(name, [(0, 1), (10, 2)])], width=300, height=120)
    root = ElementTree.fromstring(svg)
    [legend] = [t for t in root.iter(f"{NS}text") if t.get("class") == "legend"]
    assert legend.text.endswith("…") and float(legend.get("x")) + len(legend.text) * 6.4 <= 300
    for text in root.iter(f"{NS}text"):
        assert 11 <= float(text.get("y")) <= float(root.get("height"))  # never above the top edge


def test_report_option_refuses_a_file(tmp_path):
    file = tmp_path / "r"
    file.write_text("x")
    done = subprocess.run([sys.executable, "-m", "monlab", "lab", "reliability", "--report", str(file)],
                          capture_output=True, text=True, timeout=60, env={**os.environ, "COLUMNS": "400"})
    assert done.returncode == 2 and "is a file, not a directory" in done.stderr


def test_svg_chart_keeps_points_before_its_time_range_inside_the_plot():
    svg = svg_line_chart([ChartSeries("a", [(-2, 1), (5, 2), (10, 1)])], width=300, height=120, time_range=(0, 10))
    [line] = ElementTree.fromstring(svg).iter("{http://www.w3.org/2000/svg}polyline")
    assert min(float(pair.split(",")[0]) for pair in line.get("points").split()) == pytest.approx(78)


MEASURE = """<script>
const out = [];
document.querySelectorAll("svg.chart").forEach((svg, index) => {
  const width = svg.width.baseVal.value, height = svg.height.baseVal.value;
  svg.querySelectorAll("text").forEach(text => {
    const box = text.getBBox();
    if (box.x < -0.5 || box.y < -0.5 || box.x + box.width > width + 0.5 || box.y + box.height > height + 0.5)
      out.push([index, text.textContent, box.x, box.y, box.width, box.height, width, height]);
  });
});
const pre = document.createElement("pre");
pre.id = "clipped";
pre.textContent = JSON.stringify(out);
document.body.appendChild(pre);
</script>"""


@pytest.mark.prometheus
def test_no_chart_label_is_clipped_as_chromium_lays_it_out(written, tmp_path):
    """Chromium measures every text of every chart (SVG getBBox): each lies inside its picture."""
    directory, _, _ = written
    html = (directory / "index.html").read_text()
    page = tmp_path / "measured.html"
    page.write_text(html.replace("</body>", MEASURE + "</body>"))
    dom = chromium("--dump-dom", page.as_uri(), tmp=tmp_path)
    assert dom.returncode == 0, dom.stderr[-2000:]
    found = dom.stdout[dom.stdout.index('<pre id="clipped">') + len('<pre id="clipped">'):]
    clipped = json.loads(found[:found.index("</pre>")].replace("&quot;", '"').replace("&amp;", "&"))
    assert clipped == [], clipped
    assert html.count("<svg") >= 10  # it measured the report's charts, not an empty page


@pytest.mark.prometheus
def test_figures_are_written_with_units_and_the_speedup_says_what_it_divides(written):
    directory, runs, full = written
    html = (directory / "index.html").read_text()
    speedup = full["labs"][-1]["figures"]["speedup"]
    assert speedup["compares"] == "baseline_server_mean_s ÷ improved_server_mean_s" and speedup["compares"] in html
    for lab in full["labs"]:
        for name, figure in lab["figures"].items():
            assert str(escape(figure["text"])) in html, (name, figure)
    prose = URL.sub("", re.sub(r"<svg.*?</svg>", "", html, flags=re.S))  # the page's words, not its drawing
    assert not E_NOTATION.search(prose), E_NOTATION.findall(prose)
