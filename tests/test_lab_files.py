"""Teachers' lab directories (`--labs DIR`, issue 18 Deliver 6) and lab-file text that reaches the
terminal or Prometheus (Deliver 5): hostile or oversized files are refused fast with the file and the
key path; markup and escape sequences in titles are shown as text; template syntax in an alert
summary is refused before promtool would reject the rendered rules."""

from __future__ import annotations

import dataclasses
import json
import shutil
import subprocess
import time
from functools import partial
from pathlib import Path

import pytest

from lab_fixtures import local_stack
from monlab.catalog import Catalog, load_catalog
from monlab.labfile import MAX_ALIASES, MAX_BYTES, LabFileError, read_yaml
from monlab.shown_text import terminal_markup
from monlab.render import RenderContext, render_stack, write_rendered
from monlab.resources import labs_dir
from monlab_cli import monlab as run_monlab

BOMB = "name: bomb\nsection: 1\ntitle: t\ngoal: g\nsteps:\n  - a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"  - {chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(8))
# Few aliases, each doubling the one before: 2^16 copies of a 200-item list.
DOUBLING = "name: bomb\nl0: &l0 [" + ", ".join(["v"] * 200) + "]\n" + "".join(
    f"l{i}: &l{i} [*l{i - 1}, *l{i - 1}]\n" for i in range(1, 9))


monlab = partial(run_monlab, columns=200)


def teacher_dir(tmp_path: Path) -> Path:
    target = tmp_path / "my-labs"
    shutil.copytree(labs_dir(), target)
    return target


@pytest.mark.parametrize("text, where, problem", [
    (BOMB, "steps[3].d[2]", f"more than {MAX_ALIASES} aliases"),
    (DOUBLING, "l7[1]", "expands to more than"),
], ids=["nine-by-nine", "doubling"])
def test_alias_bombs_are_refused_with_the_key_path_well_under_a_second(tmp_path, text, where, problem):
    file = tmp_path / "bomb.yaml"
    file.write_text(text)
    started = time.monotonic()
    with pytest.raises(LabFileError) as refused:
        read_yaml(file)
    assert time.monotonic() - started < 0.5
    assert refused.value.key_path == where and problem in refused.value.message


def test_an_oversized_file_is_refused_before_it_is_parsed(tmp_path):
    file = tmp_path / "big.yaml"
    file.write_text("name: big\ngoal: " + "x" * MAX_BYTES + "\n")
    with pytest.raises(LabFileError, match=f"at most {MAX_BYTES}"):
        read_yaml(file)


def test_a_few_aliases_and_every_shipped_file_still_load(tmp_path):
    file = tmp_path / "ok.yaml"
    file.write_text("name: ok\nbase: &b {path: /, count: 2}\nsteps:\n  - traffic: *b\n  - traffic: {<<: *b, count: 3}\n")
    assert read_yaml(file)["steps"] == [{"traffic": {"path": "/", "count": 2}}, {"traffic": {"path": "/", "count": 3}}]
    for shipped in labs_dir().glob("*.yaml"):
        read_yaml(shipped)


@pytest.mark.parametrize("args", [["list"], ["business", "--prometheus", "http://127.0.0.1:9", "--app", "http://127.0.0.1:9"]])
def test_a_hostile_lab_dir_is_exit_3_naming_file_and_key_path_fast(tmp_path, args):
    labs = teacher_dir(tmp_path)
    (labs / "bomb.yaml").write_text(BOMB)
    started = time.monotonic()
    done = monlab("lab", *args, "--labs", str(labs))
    assert time.monotonic() - started < 10  # the CLI's own start-up included; the refusal itself is milliseconds
    assert done.returncode == 3 and "Traceback" not in done.stderr
    assert "bomb.yaml: steps[3].d[2]: more than" in " ".join(done.stderr.split())


def test_lab_list_uses_the_teachers_dir_and_shows_titles_as_text(tmp_path):
    labs = teacher_dir(tmp_path)
    file = labs / "business.yaml"
    file.write_text(file.read_text().replace("title: Business Intelligence",
                                             'title: "Business [bold]and[/bold] \\e]0;pwned\\a [money]"'))
    done = monlab("lab", "list", "--labs", str(labs))
    assert done.returncode == 0, done.stderr
    assert "Business [bold]and[/bold] ␛]0;pwned␇ [money]" in done.stdout and "\x1b" not in done.stdout
    listed = json.loads(monlab("lab", "list", "--json", "--labs", str(labs)).stdout)
    assert [s["name"] for s in listed] == [s.name for s in load_catalog().sections]


@pytest.mark.parametrize("text, shown", [
    ("plain", "plain"), ("a\x1b[31mred", "a␛[31mred"), ("bell\a", "bell␇"), ("tab\there", "tab here"),
    ("two\nlines", "two\nlines"), ("rtl\u202eevil", "rtl\ufffdevil"), ("c1\x9bx", "c1\ufffdx"),
])
def test_lab_narration_shows_control_characters_as_stand_ins_and_keeps_its_line_breaks(text, shown):
    assert terminal_markup(text) == shown


def test_terminal_markup_shows_brackets_as_written():
    from rich.console import Console

    console = Console(record=True, color_system=None, width=100)
    console.print(terminal_markup("[bold]x[/bold] [link=file:///etc]y"))
    assert console.export_text().strip() == "[bold]x[/bold] [link=file:///etc]y"


def test_template_syntax_in_an_alert_summary_is_refused_at_load(tmp_path):
    labs = teacher_dir(tmp_path)
    file = labs / "security.yaml"
    file.write_text(file.read_text().replace("summary: ", "summary: Value {{ $value ", 1))
    with pytest.raises(LabFileError) as refused:
        load_catalog(labs)
    assert refused.value.key_path == "alerts[0].summary" and "{{" in refused.value.message
    done = monlab("lab", "list", "--labs", str(labs))
    assert done.returncode == 3 and "security.yaml: alerts[0].summary" in done.stderr


@pytest.mark.prometheus
def test_promtool_rejects_the_rules_such_a_summary_would_render(tmp_path, promtool_binary):
    """Why the refusal: the summary becomes a rule annotation, a Go template promtool parses."""
    catalog = load_catalog()
    broken = Catalog(tuple(dataclasses.replace(s, alerts=tuple(dataclasses.replace(a, summary="Value {{ $value ")
                                                                  for a in s.alerts)) for s in catalog.sections))
    for name, chosen in (("shipped", catalog), ("broken", broken)):
        write_rendered(render_stack(RenderContext(), chosen), tmp_path / name)
        checked = subprocess.run([promtool_binary, "check", "rules", str(tmp_path / name / "prometheus" / "rules" / "monlab-alerts.yml")],
                                 capture_output=True, text=True, timeout=60)
        assert (checked.returncode == 0) is (name == "shipped"), checked.stdout + checked.stderr


@pytest.mark.prometheus
def test_a_teachers_own_section_runs_by_url(prometheus_binary, tmp_path):
    labs = teacher_dir(tmp_path)
    (labs / "homework.yaml").write_text(
        "name: homework\nsection: 10\ntitle: Homework [1]\ngoal: Count three visits.\n"
        "steps:\n  - mark: before\n  - traffic: {path: /, count: 3, expect_status: 200}\n"
        "  - expect: {query: 'sum(http_requests_total{endpoint=\"/\"})', delta_from: before, op: '==', value: 3}\n")
    (tmp_path / "stack").mkdir()
    with local_stack(prometheus_binary, tmp_path / "stack") as stack:
        done = monlab("lab", "homework", "--json", "--labs", str(labs), "--prometheus", stack.prometheus_url,
                      "--app", stack.app_url)
    assert done.returncode == 0, done.stdout + done.stderr
    (homework,) = json.loads(done.stdout)["labs"]
    assert homework["name"] == "homework" and homework["passed"]


def test_lab_output_shows_outside_text_without_escape_sequences_or_markup():
    """A scrape error or label value from Prometheus, a title from a lab file: printed as text."""
    from lab_fixtures import quiet_view
    from monlab.lab.results import failed

    view, out = quiet_view()
    view.narrate("say [red]this[/red]\x1b]0;retitled\x07")
    view.check(failed("target \x1b[2J[bold]x", 'Get "http://app/\x1b[31m": refused', "hint \x9b1m[link]"))
    view.table("caption [i]", ["col\x1b[5m"], {"row [b]": ["1.0"]})
    printed = out.getvalue()
    assert "\x1b" not in printed and "\x07" not in printed and "\x9b" not in printed
    for text in ("say [red]this[/red]␛]0;retitled␇", "target ␛[2J[bold]x", 'Get "http://app/␛[31m": refused',
                 "hint \ufffd1m[link]", "caption [i]", "row [b]"):
        assert text in printed, printed
