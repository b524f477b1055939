"""One catalog panel: a line chart with its legend, or a big number, redrawn at the widget's size."""

from __future__ import annotations

from rich.console import RenderableType
from rich.text import Text
from textual.widgets import Static

from monlab.catalog import Panel
from monlab.dashboard.data import PanelData
from monlab.dashboard.render import stat_body, timeseries_body
from monlab.shown_text import printable


class PanelView(Static):
    def __init__(self, panel: Panel) -> None:
        super().__init__(id=f"panel-{panel.id}", classes=panel.kind)
        self.panel = panel
        self.data: PanelData | None = None
        self.border_title = Text(printable(panel.title))

    def show(self, data: PanelData) -> None:
        self.data = data
        self.refresh(layout=True)

    def render(self) -> RenderableType:
        if self.data is None:
            return "waiting for Prometheus…"
        if self.panel.kind == "stat":
            return stat_body(self.data)
        return timeseries_body(self.data, max(self.content_size.width, 10), fit_height=self.content_size.height)
