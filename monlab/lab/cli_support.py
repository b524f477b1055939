"""What `monlab lab NAME|all` does, below the Typer layer: choose sections, open the stack, print the report."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console

from monlab.catalog import load_catalog
from monlab.lab.model import Lab, load_labs
from monlab.lab.results import LabResult, exit_code, report, skipped
from monlab.lab.runner import run_labs
from monlab.lab.timing import Timing
from monlab.lab.view import LabView
from monlab.stackinfo import StackInfo

if TYPE_CHECKING:
    from monlab.lab.url_stack import StackUrls


def select_labs(name: str) -> list[Lab] | None:
    labs = load_labs()
    if name == "all":
        return labs
    chosen = [lab for lab in labs if lab.name == name]
    return chosen or None


def grafana_hooks(info: StackInfo):
    """Grafana's alert states and panel links, for a stack that runs Grafana."""
    from monlab.grafana_api import GrafanaAPI
    from monlab.render import panel_url

    base = info.url("grafana") or ""
    api = GrafanaAPI(base, info.grafana_user, info.grafana_password or "")
    catalog = load_catalog()
    return api.alert_rule_states, lambda panel_id: panel_url(base, panel_id, catalog)


def run_sections(labs: list[Lab], project: str, as_json: bool, student_app: Path | None) -> int:
    """Runs the sections and prints the report; returns the exit code (0 passed, 1 a check failed, 3 environment)."""
    from monlab.stack.control import open_stack

    stack = open_stack(project)
    view = LabView(Console(stderr=as_json))
    results = run_labs(labs, stack, load_catalog(), view, timing=Timing.of_stack(), student_app=student_app,
                       grafana=grafana_hooks)
    return _report(results, view, as_json)


def run_sections_by_url(labs: list[Lab], urls: "StackUrls", as_json: bool) -> int:
    """The sections on a stack known by URLs; those that stop or redeploy containers are skipped, said so."""
    from monlab.lab.url_stack import NEEDS_DOCKER, UrlStack

    stack = UrlStack(urls)
    view = LabView(Console(stderr=as_json))
    results = []
    for lab in labs:
        if lab.controls_containers:
            results.append(LabResult(lab.name, [skipped(f"the {lab.name} section", NEEDS_DOCKER)]))
            continue
        results += run_labs([lab], stack, load_catalog(), view, timing=Timing.of_stack(), grafana=grafana_hooks)
    return _report(results, view, as_json)


def _report(results: list[LabResult], view: LabView, as_json: bool) -> int:
    full = report(results)
    if as_json:
        print(json.dumps(full))
    else:
        view.summary(results)
    return exit_code(results)
