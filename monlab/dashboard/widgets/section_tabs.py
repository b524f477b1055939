"""The sections as numbered tabs (short names), the current one highlighted, on one line: when the
full names do not fit, the other tabs show only their number and section."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from monlab.catalog import Section
from monlab.shown_text import printable


def tab_line(sections: list[Section], current: int, width: int) -> Text:
    """The tabs in `width` columns: every name while they fit, else only the current tab's."""
    for short in (False, True):
        text = Text()
        for index, section in enumerate(sections):
            name = "" if short and index != current else f" {printable(section.name)}"
            text.append(f" {index + 1} §{section.number}{name} ", style="bold reverse" if index == current else "")
            text.append(" ")
        text.rstrip()
        if len(text) <= width:
            return text
    return text


class SectionTabs(Static):
    sections: list[Section] = []
    current = 0

    def show(self, sections: list[Section], current: int) -> None:
        self.sections, self.current = sections, current
        self.refresh(layout=True)

    def on_resize(self) -> None:  # what fits depends on the width: draw again
        self.refresh()

    def render(self) -> Text:
        return tab_line(self.sections, self.current, self.content_size.width or 80)
