"""What `monlab lab NAME|all` does, below the Typer layer: choose sections, open the stack, print the report."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console

from monlab.catalog import Catalog, load_catalog
from monlab.errors import MonlabError
from monlab.interrupts import Leftovers
from monlab.lab.context import Activity
from monlab.lab.figures import figure_infos
from monlab.lab.model import Lab, load_labs
from monlab.lab.pace import DEFAULT_MAX_WAIT_S
from monlab.lab.results import LabResult, RunInfo, exit_code, report, skipped
from monlab.lab.runner import run_lab, section_stopped
from monlab.lab.view import LabView
from monlab.stackinfo import StackInfo

if TYPE_CHECKING:
    from monlab.lab.url_stack import StackUrls


def select_labs(name: str, catalog: Catalog) -> list[Lab] | None:
    labs = load_labs(catalog)
    if name == "all":
        return labs
    chosen = [lab for lab in labs if lab.name == name]
    return chosen or None


def grafana_hooks(info: StackInfo):
    """Grafana's alert states, panel links and annotations of the lecture dashboard, for a stack that runs Grafana."""
    from monlab.grafana_api import GrafanaAPI
    from monlab.render import DASHBOARD_UID, panel_url

    base = info.url("grafana") or ""
    api = GrafanaAPI(base, info.grafana_user, info.grafana_password or "", status_command=info.status_command)
    catalog = load_catalog()

    def annotate(text: str, tags: tuple[str, ...]) -> None:
        api.add_annotation(DASHBOARD_UID, text, list(tags), int(time.time() * 1000))

    return api.alert_rule_states, lambda panel_id: panel_url(base, panel_id, catalog), annotate


def run_sections(labs: list[Lab], catalog: Catalog, project: str, as_json: bool, student_app: Path | None,
                 report_dir: Path | None = None, max_wait: float = DEFAULT_MAX_WAIT_S) -> int:
    """Runs the sections and prints the report; returns the exit code (0 passed, 1 a check failed, 3 environment)."""
    from monlab.stack.control import open_stack

    started = time.time()
    leftovers = Leftovers()  # the stack's and the sections' disruptions a Ctrl-C would leave
    try:
        stack = open_stack(project, leftovers=leftovers)
    except MonlabError as error:  # no stack, no Docker: with --json, still one report saying so
        if not as_json:
            raise
        return _print_unusable(labs, error, RunInfo(project, "none", started, time.time()))
    mode = stack.info().mode
    view = LabView(Console(stderr=as_json))
    activity = Activity()  # shared by the sections: a mark right after a quiet section need not wait
    with leftovers.said_on_interrupt():
        runs = [_timed_run(lab, stack, catalog, view, student_app=student_app, max_wait=max_wait, activity=activity,
                           leftovers=leftovers) for lab in labs]
    return _report(runs, view, as_json, report_dir, stack, catalog, RunInfo(project, mode, started, time.time()))


def run_sections_by_url(labs: list[Lab], catalog: Catalog, urls: "StackUrls", as_json: bool,
                        report_dir: Path | None = None, max_wait: float = DEFAULT_MAX_WAIT_S) -> int:
    """The sections on a stack known by URLs; those that stop or redeploy containers are skipped, said so."""
    from monlab.lab.url_stack import NEEDS_DOCKER, UrlStack

    started = time.time()
    stack = UrlStack(urls)
    view = LabView(Console(stderr=as_json))
    runs, activity = [], Activity()
    for lab in labs:
        if lab.controls_containers:
            now = time.time()
            runs.append((lab, LabResult(lab.name, [skipped(f"the {lab.name} section", NEEDS_DOCKER)], started=now, ended=now), now, now))
            continue
        runs.append(_timed_run(lab, stack, catalog, view, max_wait=max_wait, activity=activity))
    return _report(runs, view, as_json, report_dir, stack, catalog, RunInfo(urls.prometheus, "by-url", started, time.time()))


def _print_unusable(labs: list[Lab], error: MonlabError, run: RunInfo) -> int:
    """The one-line error for a person on stderr, and the report a --json caller reads on stdout."""
    results = [LabResult(lab.name, [section_stopped(lab.name, error)], started=run.started, ended=run.ended)
               for lab in labs]
    print(f"Error: {error.one_line()}", file=sys.stderr)
    print(json.dumps(report(results, run)))
    return exit_code(results)


def _timed_run(lab: Lab, stack, catalog, view: LabView, **options) -> tuple:
    """One section, with its run window: a report charts each section over the time it ran."""
    started = time.time()
    try:
        result = run_lab(lab, stack, catalog, view, grafana=grafana_hooks, **options)
    except Exception as error:  # whatever stopped this section, the next ones still run and the report is printed
        result = LabResult(lab.name, [section_stopped(lab.name, error)])
        view.check(result.checks[0])
    result.started, result.ended, result.figure_info = started, time.time(), figure_infos(lab, catalog)
    return lab, result, started, result.ended


def _report(runs: list[tuple], view: LabView, as_json: bool, report_dir: Path | None, stack, catalog, run: RunInfo) -> int:
    results = [result for _, result, _, _ in runs]
    full = report(results, run)
    if as_json:
        print(json.dumps(full))
    else:
        view.summary(results)
    if report_dir is not None:
        write_lab_report(report_dir, runs, full, stack.info(), catalog, view)
    return exit_code(results)


def write_lab_report(directory: Path, runs: list, full: dict, info: StackInfo, catalog, view: LabView) -> None:
    from monlab.prometheus_api import PrometheusAPI
    from monlab.report.build import SectionRun, render_html, section_pages, write_report

    with PrometheusAPI(info.url("prometheus") or "http://127.0.0.1:9") as prometheus:
        pages = section_pages([SectionRun(*run) for run in runs], catalog, prometheus)
    written = write_report(directory, full, render_html(pages, full, info.project))
    view.console.print(f"Report: {written[1]} (and {written[0].name})")
