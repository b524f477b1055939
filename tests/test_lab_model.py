"""Lab files: the shipped ones validate, and every mistake names the file and the key path."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from monlab.catalog import load_catalog
from monlab.lab.kinds import KINDS
from monlab.lab.model import load_lab, load_labs
from monlab.labfile import LabFileError
from monlab.resources import labs_dir

SECTIONS = ["reliability", "performance", "capacity", "security", "business", "improvement"]


def test_every_shipped_lab_validates_and_covers_the_lecture_sections():
    labs = load_labs()
    assert [lab.name for lab in labs] == SECTIONS
    for lab in labs:
        assert lab.steps, lab.name
        assert {s.kind for s in lab.steps} <= set(KINDS)


def test_shipped_labs_check_what_the_issue_asks_for():
    labs = {lab.name: lab for lab in load_labs()}
    kinds = {name: [s.kind for s in lab.steps] for name, lab in labs.items()}
    assert {"stop", "start", "alert"} <= set(kinds["reliability"])
    assert {"redeploy", "record", "expect"} <= set(kinds["improvement"])
    figures = {name: {s.params["figure"] for s in lab.steps if s.kind == "record"} for name, lab in labs.items()}
    assert {"time_to_detect_s", "time_to_recover_s"} <= figures["reliability"]
    assert {"avg_latency_s", "p95_latency_s", "request_rate"} <= figures["performance"]
    assert "speedup" in figures["improvement"]
    # exact arithmetic on raw counters: every delta check reads a query that is read at its mark
    for lab in labs.values():
        for step in lab.steps:
            if step.kind == "expect" and step.params["mark"]:
                assert step.params["source"].expr in lab.snapshots[step.params["mark"]]


def test_lecture_queries_are_referenced_by_panel_not_repeated():
    lecture = {p.expr for p in load_catalog().panels if p.lecture}
    for lab in load_labs():
        for step in lab.steps:
            source = step.params.get("source") if isinstance(step.params, dict) else None
            if source is not None and source.expr in lecture:
                assert source.panel_id, f"{lab.name} {step.where} repeats a lecture query instead of naming its panel"


def broken(labs: Path, name: str, steps: str) -> LabFileError:
    file = labs / f"{name}.yaml"
    text = file.read_text()
    file.write_text(text[: text.index("steps:")] + "steps:\n" + textwrap.indent(textwrap.dedent(steps), "  "))
    catalog = load_catalog(labs)
    with pytest.raises(LabFileError) as caught:
        load_lab(catalog.section(name), catalog)
    return caught.value


@pytest.mark.parametrize("steps, where, problem", [
    ("- mark: before\n- expect: {panel: requests-1h, op: '>', value: 1, bogus: 2}\n",
     "capacity.yaml: steps[1].expect.bogus", "unknown key"),
    ("- explode: {}\n", "capacity.yaml: steps[0].explode", "unknown kind"),
    ("- traffic: {path: /, count: many}\n", "capacity.yaml: steps[0].traffic.count", "must be a whole number"),
    ("- expect: {panel: requests-1h, op: '~', value: 1}\n", "capacity.yaml: steps[0].expect.op", "must be one of"),
    ("- expect: {panel: nope, op: '>', value: 1}\n", "capacity.yaml: steps[0].expect.panel", "no panel 'nope'"),
    ("- expect: {panel: requests-1h, query: up, op: '>', value: 1}\n", "capacity.yaml: steps[0].expect", "exactly one of"),
    ("- expect: {panel: requests-1h, op: '>', value: 1, delta_from: before}\n- mark: before\n",
     "capacity.yaml: steps[0].expect.delta_from", "no earlier mark named 'before'"),
    ("- alert: {name: NoSuchAlert, state: firing}\n", "capacity.yaml: steps[0].alert.name", "no alert 'NoSuchAlert'"),
    ("- alert: {name: HighRequestRate, state: burning}\n", "capacity.yaml: steps[0].alert.state", "must be one of"),
    ("- stop: database\n", "capacity.yaml: steps[0].stop.service", "must be one of app"),
    ("- quiet: soon\n", "capacity.yaml: steps[0].quiet.window", "duration"),
    ("- quiet: 1h\n", "capacity.yaml: steps[0].quiet.window", "at most 5m"),
    ("- record: {figure: x, ratio: [a, b]}\n", "capacity.yaml: steps[0].record.ratio", "no earlier figure named 'a'"),
    ("- load: {path: /, rate: 5000, duration: 10}\n", "capacity.yaml: steps[0].load.rate", "at most"),
    ("- traffic: {path: nowhere}\n", "capacity.yaml: steps[0].traffic", "must start with '/'"),
    ("- mark: a\n  stop: app\n", "capacity.yaml: steps[0]", "exactly one kind"),
    ("- record: {figure: a, elapsed_since: a}\n", "capacity.yaml: steps[0].record.elapsed_since", "no earlier mark"),
    ("- mark: m\n- record: {figure: a, elapsed_since: m}\n- table: {caption: c, columns: [x, y], rows: {r: [a]}}\n",
     "capacity.yaml: steps[2].table.rows.r", "must list 2 figures"),
    ("- redeploy: {app: improved, overlay: {workload.py: nowhere.py}}\n", "capacity.yaml: steps[0].redeploy.overlay.workload.py",
     "is not a file next to capacity.yaml"),
])
def test_a_mistake_names_file_key_path_and_problem(labs_copy, steps, where, problem):
    error = broken(labs_copy, "capacity", steps)
    assert error.message.startswith(where + ":"), error.message
    assert problem in error.message
    assert "labs/README.md" in error.one_line()


def test_a_section_without_steps_is_refused(labs_copy):
    file = labs_copy / "business.yaml"
    file.write_text(file.read_text()[: file.read_text().index("steps:")])
    catalog = load_catalog(labs_copy)
    with pytest.raises(LabFileError, match="business.yaml: steps: missing"):
        load_lab(catalog.section("business"), catalog)


def test_shorthand_and_titles():
    catalog = load_catalog()
    lab = load_lab(catalog.section("reliability"), catalog)
    stop = next(s for s in lab.steps if s.kind == "stop")
    assert stop.params == "app" and stop.title == "stop the app container"
    titled = next(s for s in lab.steps if s.kind == "targets")
    assert titled.title == "both scrape jobs are healthy"


def test_every_kind_is_documented_in_the_labs_readme():
    readme = (labs_dir() / "README.md").read_text()
    undocumented = [name for name in KINDS if f"| `{name}` |" not in readme]
    assert undocumented == []


def test_every_section_has_panels_of_its_own():
    """The dashboard, the report and Grafana draw a section from its own panels: none is empty (§9 was)."""
    assert all(section.panels for section in load_catalog().sections), [s.name for s in load_catalog().sections if not s.panels]
