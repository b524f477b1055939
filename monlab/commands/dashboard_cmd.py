"""`monlab dashboard`: the lecture's panels in a terminal, live (Textual) or once (rich, SVG)."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from monlab.commands.validate import project_option

RANGES_HELP = "5m, 15m or 1h (any duration like 30m works with --once)"


def register(cli: typer.Typer) -> None:
    cli.command("dashboard", help="The lecture's panels and alerts in the terminal, from the stack's Prometheus.")(dashboard)


def _duration(text: str, option: str) -> str:
    from monlab.catalog import parse_duration

    try:
        if parse_duration(text) <= 0:
            raise ValueError
    except ValueError:
        raise typer.BadParameter(f"{text!r} is not a duration like 15s, 5m or 1h", param_hint=option) from None
    return text


def dashboard(
    project: str = project_option("The stack to read from."),
    section: Optional[str] = typer.Option(None, "--section", "-s", help="Show only this section (e.g. reliability)."),
    range_: str = typer.Option("15m", "--range", help=f"How far back the charts go: {RANGES_HELP}."),
    refresh: str = typer.Option("5s", "--refresh", help="Live mode: time between refreshes."),
    once: bool = typer.Option(False, "--once", help="Draw once to stdout and exit (no TTY needed)."),
    svg: Optional[Path] = typer.Option(None, "--svg", help="With --once: also save the picture as an SVG file."),
    prometheus_url: Optional[str] = typer.Option(None, "--prometheus-url", help="Read this Prometheus instead of the stack's."),
) -> None:
    from monlab.catalog import load_catalog
    _duration(range_, "--range")
    refresh_seconds = _parse_refresh(refresh)
    if svg is not None and not once:
        raise typer.BadParameter("--svg draws a still picture; use it with --once", param_hint="--svg")
    catalog = load_catalog()
    sections = list(catalog.sections)
    if section is not None:
        chosen = catalog.section(section)
        if chosen is None:
            names = ", ".join(s.name for s in catalog.sections)
            raise typer.BadParameter(f"no section {section!r}; choose one of {names}", param_hint="--section")
        sections = [chosen]
    from monlab.dashboard.source import open_source

    if not once:  # the stack is looked for on screen, again at every refresh until it answers
        from monlab.dashboard.app import run_live

        run_live(lambda: open_source(project, prometheus_url), sections, range_, refresh_seconds)
        return
    from monlab.dashboard.once import draw_once

    source = open_source(project, prometheus_url)
    try:
        draw_once(source, sections, range_, svg)
    finally:
        source.close()


def _parse_refresh(text: str) -> float:
    from monlab.catalog import parse_duration

    _duration(text, "--refresh")
    return parse_duration(text)
