"""What the dashboard is doing: source, range, last refresh and its cost, paused, problems."""

from __future__ import annotations

import time

from rich.text import Text
from textual.widgets import Static

from monlab.shown_text import printable

KEYS = "tab/1-6 section · r range · p pause · q quit"


class StatusLine(Static):
    def show(self, source: str, range_text: str, paused: bool, taken_at: float | None, seconds: float | None,
             problem: str) -> None:
        text = Text(printable(f"{source} · last {range_text}"))
        if taken_at is not None and seconds is not None:
            text.append(f" · {time.strftime('%H:%M:%S', time.localtime(taken_at))} in {seconds * 1000:.0f} ms")
        if paused:
            text.append(" · PAUSED", style="bold yellow")
        text.append(f"   {KEYS}", style="dim")
        if problem:
            text.append(f"\n{printable(problem)}", style="bold red")
        self.update(text)
