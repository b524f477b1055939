"""What the dashboard is doing: source, range, last refresh and its cost, paused, problems."""

from __future__ import annotations

import time

from rich.text import Text
from textual.widgets import Static

from monlab.shown_text import printable

KEYS = ("tab/1-6 section · r range · p pause · q quit", "tab·1-6·r·p·q")  # the short form where the long one does not fit


def status_text(source: str, range_text: str, paused: bool, taken_at: float | None, seconds: float | None,
                problem: str, width: int) -> Text:
    """One line of `width`: what is shown and the keys; the refresh's cost, then its time, then the
    long key help are left out as the line needs room."""
    taken = "" if taken_at is None else f" · {time.strftime('%H:%M:%S', time.localtime(taken_at))}"
    cost = "" if seconds is None else f" in {seconds * 1000:.0f} ms"
    fits = [(taken + cost, KEYS[0]), (taken + cost, KEYS[1]), (taken, KEYS[1]), ("", KEYS[1]), ("", "")]
    base = printable(f"{source} · last {range_text}")
    pause = " · PAUSED" if paused else ""
    extra, keys = next(((e, k) for e, k in fits if len(base + e + pause) + 3 + len(k) <= width), fits[-1])
    text = Text(base + extra)
    if paused:
        text.append(pause, style="bold yellow")
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
