"""`monlab lab list|NAME|all`: the lecture sections as checked steps on the live stack."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from monlab.commands.validate import project_option

SECTIONS_HELP = "reliability, performance, capacity, security, business, improvement"


def register(cli: typer.Typer) -> None:
    cli.command("lab", help=f"Run a lecture section as checked steps (NAME: {SECTIONS_HELP}, all), or `list` them.")(lab)


def lab(
    name: str = typer.Argument(..., metavar="NAME|all|list", help=f"A section ({SECTIONS_HELP}), `all`, or `list`."),
    as_json: bool = typer.Option(False, "--json", help="Print only a JSON report on stdout."),
    project: str = project_option("The stack to run on."),
    app: Optional[str] = typer.Option(
        None, "--app", metavar="DIR|URL",
        help="A directory: your improved app (from `monlab app eject`) for `improvement`. "
             "An http(s):// URL, with --prometheus: the app of a stack monlab did not start."),
    prometheus: Optional[str] = typer.Option(
        None, "--prometheus", metavar="URL",
        help="Run on a stack monlab did not start, by URL (with --app URL): the sections that only send traffic and read metrics."),
    grafana: Optional[str] = typer.Option(
        None, "--grafana", metavar="URL", help="That stack's Grafana, as http://admin:PASSWORD@host:port (optional)."),
    report_dir: Optional[Path] = typer.Option(None, "--report", metavar="DIR", help="Also write DIR/index.html (offline page with charts) and DIR/results.json."),
    force: bool = typer.Option(False, "--force", help="Write the --report DIR even over files a previous report did not write."),
    labs_dir: Optional[Path] = typer.Option(
        None, "--labs", metavar="DIR", help="A lab directory of your own (a copy of the shipped labs/, edited) instead of the shipped one."),
    max_wait: Optional[str] = typer.Option(
        None, "--max-wait", metavar="DURATION",
        help="Longest a section may take at the stack's scrape interval (e.g. 10m; default 2m): a Prometheus "
             "that scrapes every minute makes a section take minutes, so it stops at once unless allowed."),
) -> None:
    if labs_dir is not None and not labs_dir.is_dir():
        raise typer.BadParameter(f"{labs_dir} is not a directory", param_hint="--labs")
    if name == "list":
        from monlab.lab.listing import list_sections

        list_sections(as_json, labs_dir)
        return
    from monlab.catalog import load_catalog
    from monlab.lab.cli_support import run_sections, select_labs

    catalog = load_catalog(labs_dir)
    labs = select_labs(name, catalog)
    if labs is None:
        names = ", ".join(s.name for s in catalog.sections)
        raise typer.BadParameter(f"no section {name!r}; choose one of {names}, or all", param_hint="NAME")
    wait_s = _max_wait_seconds(max_wait)
    if report_dir is not None and report_dir.exists() and not report_dir.is_dir():
        raise typer.BadParameter(f"{report_dir} is a file, not a directory", param_hint="--report")
    if report_dir is not None:
        from monlab.report.folder import require_report_folder

        require_report_folder(report_dir, force)  # before any section runs
    if prometheus is not None or grafana is not None or _is_url(app):
        _run_by_url(name, labs, catalog, prometheus, app, grafana, as_json, report_dir, wait_s)
    app_dir = Path(app) if app is not None else None
    if app_dir is not None and name not in ("improvement", "all"):
        raise typer.BadParameter("only the improvement section deploys an app of yours", param_hint="--app")
    if app_dir is not None and not (app_dir / "app.py").is_file():
        raise typer.BadParameter(f"{app_dir} has no app.py; create one with `monlab app eject DIR`", param_hint="--app")
    from monlab.stack.lock import command_lock

    with command_lock(project, f"lab {name}"):
        code = run_sections(labs, catalog, project, as_json, app_dir.resolve() if app_dir else None, report_dir, wait_s)
    raise typer.Exit(code)


def _max_wait_seconds(value: Optional[str]) -> float:
    from monlab.catalog import parse_duration
    from monlab.lab.pace import DEFAULT_MAX_WAIT_S

    if value is None:
        return DEFAULT_MAX_WAIT_S
    text = value.strip()
    try:
        seconds = float(text) if text.replace(".", "", 1).isdigit() else parse_duration(text)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a duration like 90s, 10m or 1h", param_hint="--max-wait") from None
    if seconds <= 0:
        raise typer.BadParameter("must be more than 0", param_hint="--max-wait")
    return seconds


def _is_url(value: Optional[str]) -> bool:
    from monlab.lab.url_stack import is_url

    return value is not None and is_url(value)


def _run_by_url(name: str, labs: list, catalog, prometheus: Optional[str], app: Optional[str], grafana: Optional[str],
                as_json: bool, report_dir: Optional[Path], max_wait: float) -> None:
    """A stack given by URLs: --prometheus and --app URLs both needed; exit 2 for a section that must
    stop or redeploy containers, decided from the command line alone before anything is contacted."""
    from monlab.lab.cli_support import run_sections_by_url
    from monlab.lab.url_stack import NEEDS_DOCKER, stack_urls

    if prometheus is None:
        raise typer.BadParameter("a stack given by URLs needs --prometheus URL as well as --app URL", param_hint="--prometheus")
    if not _is_url(app):
        raise typer.BadParameter("with --prometheus, --app is the lab app's URL, e.g. http://127.0.0.1:5000", param_hint="--app")
    blocked = [lab.name for lab in labs if lab.controls_containers]
    if blocked and name != "all":
        raise typer.BadParameter(f"the {name} section cannot run on a stack given by URLs: {NEEDS_DOCKER}", param_hint="NAME")
    try:
        urls = stack_urls(prometheus, app, grafana)
    except ValueError as error:
        raise typer.BadParameter(str(error), param_hint="--prometheus/--app/--grafana") from None
    raise typer.Exit(run_sections_by_url(labs, catalog, urls, as_json, report_dir, max_wait))
