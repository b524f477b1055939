"""`monlab lab list`: the sections from the catalog alone, without loading the lab engine."""

from __future__ import annotations

import json
from pathlib import Path

from rich.console import Console

from monlab.catalog import load_catalog
from monlab.shown_text import terminal_markup


def list_sections(as_json: bool, directory: Path | None = None) -> None:
    sections = load_catalog(directory).sections
    if as_json:
        print(json.dumps([{"name": s.name, "section": s.number, "title": s.title, "goal": s.goal} for s in sections]))
        return
    console = Console()
    for s in sections:
        console.print(f"[bold]{terminal_markup(f'{s.name:<12}')}[/bold] §{s.number} {terminal_markup(s.title)}: {terminal_markup(s.goal)}")
