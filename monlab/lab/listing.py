"""`monlab lab list`: the sections from the catalog alone, without loading the lab engine."""

from __future__ import annotations

import json

from rich.console import Console

from monlab.catalog import load_catalog


def list_sections(as_json: bool) -> None:
    sections = load_catalog().sections
    if as_json:
        print(json.dumps([{"name": s.name, "section": s.number, "title": s.title, "goal": s.goal} for s in sections]))
        return
    console = Console()
    for s in sections:
        console.print(f"[bold]{s.name:<12}[/bold] §{s.number} {s.title}: {s.goal}")
