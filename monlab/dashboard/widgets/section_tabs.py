"""The sections as numbered tabs (short names), the current one highlighted."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from monlab.catalog import Section


class SectionTabs(Static):
    def show(self, sections: list[Section], current: int) -> None:
        text = Text()
        for index, section in enumerate(sections):
            style = "bold reverse" if index == current else ""
            text.append(f" {index + 1} §{section.number} {section.name} ", style=style)
            text.append(" ")
        self.update(text)
