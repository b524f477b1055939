"""`monlab lab list|NAME|all`: the lecture sections as checked steps on the live stack."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

SECTIONS_HELP = "reliability, performance, capacity, security, business, improvement"


def register(cli: typer.Typer) -> None:
    cli.command("lab", help=f"Run a lecture section as checked steps (NAME: {SECTIONS_HELP}, all), or `list` them.")(lab)


def lab(
    name: str = typer.Argument(..., metavar="NAME|all|list", help=f"A section ({SECTIONS_HELP}), `all`, or `list`."),
    as_json: bool = typer.Option(False, "--json", help="Print only a JSON report on stdout."),
    project: str = typer.Option("monlab", "--project", "-p", help="The stack to run on."),
    app: Optional[Path] = typer.Option(None, "--app", help="Your improved app directory (from `monlab app eject`) for `improvement`."),
    report_dir: Optional[Path] = typer.Option(None, "--report", metavar="DIR", help="Also write DIR/index.html (offline page with charts) and DIR/results.json."),
) -> None:
    if name == "list":
        from monlab.lab.listing import list_sections

        list_sections(as_json)
        return
    from monlab.lab.cli_support import run_sections, select_labs

    labs = select_labs(name)
    if labs is None:
        from monlab.catalog import load_catalog

        names = ", ".join(s.name for s in load_catalog().sections)
        raise typer.BadParameter(f"no section {name!r}; choose one of {names}, or all", param_hint="NAME")
    if app is not None and name not in ("improvement", "all"):
        raise typer.BadParameter("only the improvement section deploys an app of yours", param_hint="--app")
    if app is not None and not (app / "app.py").is_file():
        raise typer.BadParameter(f"{app} has no app.py; create one with `monlab app eject DIR`", param_hint="--app")
    if report_dir is not None and report_dir.exists() and not report_dir.is_dir():
        raise typer.BadParameter(f"{report_dir} is a file, not a directory", param_hint="--report")
    passed = run_sections(labs, project, as_json, app.resolve() if app else None, report_dir)
    raise typer.Exit(0 if passed else 1)
