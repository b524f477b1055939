"""`monlab dashboard --once`: one refresh drawn to stdout, and optionally saved as SVG."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console

from monlab.catalog import Section
from monlab.dashboard.data import fetch_snapshot
from monlab.dashboard.render import render_snapshot
from monlab.dashboard.source import Source
from monlab.errors import MonlabError

SVG_WIDTH = 140


def draw_once(source: Source, sections: list[Section], range_text: str, svg: Path | None) -> None:
    snapshot = fetch_snapshot(source.prometheus, sections, range_text, source.grafana_states)
    if snapshot.problem:
        raise MonlabError(snapshot.problem)
    console = Console(record=svg is not None, width=None if svg is None else SVG_WIDTH)
    console.print(render_snapshot(snapshot, console.width, source.name))
    if svg is not None:
        try:
            console.save_svg(str(svg), title=f"monlab dashboard · {source.name}")
        except OSError as error:
            raise MonlabError(f"Cannot write {svg}: {error.strerror}") from None
