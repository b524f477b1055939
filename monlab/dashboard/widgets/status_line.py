"""What the dashboard is doing: source, range, last refresh and its cost, paused, problems."""

from __future__ import annotations

import time

from rich.text import Text
from textual.widgets import Static

from monlab.shown_text import printable

KEYS = ("tab/1-6 section · r range · p pause · q quit", "tab·1-6·r·p·q")  # the short form where the long one does not fit


def status_text(source: str, range_text: str, paused: bool, taken_at: float | None, seconds: float | None,
                problem: str, width: int) -> Text:
    text = Text(printable(f"{source} · last {range_text}"))
    if taken_at is not None and seconds is not None:
        text.append(f" · {time.strftime('%H:%M:%S', time.localtime(taken_at))} in {seconds * 1000:.0f} ms")
    if paused:
        text.append(" · PAUSED", style="bold yellow")
    keys = next((k for k in KEYS if len(text) + 3 + len(k) <= width), "")
    if keys:
        text.append(f"   {keys}", style="dim")
    if problem:
        text.append(f"\n{printable(problem)}", style="bold red")
    return text


class StatusLine(Static):
    shown: tuple = ("", "", False, None, None, "")

    def show(self, source: str, range_text: str, paused: bool, taken_at: float | None, seconds: float | None,
             problem: str) -> None:
        self.shown = (source, range_text, paused, taken_at, seconds, problem)
        self.refresh(layout=True)

    def on_resize(self) -> None:  # what fits depends on the width: draw again
        self.refresh()

    def render(self) -> Text:
        return status_text(*self.shown, width=self.content_size.width or 80)
