"""The live `monlab dashboard`: a Textual app showing one section at a time, refreshed by a worker
thread so a slow or silent Prometheus never blocks the keys. Problems are shown on screen."""

from __future__ import annotations

import time
from typing import Callable

from textual import work
from textual.app import App, ComposeResult
from textual.binding import Binding
from rich.text import Text
from textual.containers import Grid

from monlab.catalog import Section
from monlab.chart_panels import section_charts
from monlab.dashboard.data import RANGES, Snapshot, fetch_snapshot
from monlab.dashboard.source import Source
from monlab.dashboard.widgets import CSS_PATHS, AlertsView, PanelView, SectionTabs, StatusLine
from monlab.errors import MonlabError
from monlab.shown_text import printable


class DashboardApp(App):
    CSS_PATH = CSS_PATHS
    CSS = "#panels { grid-size: 2; grid-gutter: 0 1; height: 1fr; border-top: heavy $accent; border-title-style: bold; }"
    TITLE = "monlab dashboard"
    BINDINGS = [
        Binding("tab", "next_section", "next section", priority=True),
        Binding("shift+tab", "previous_section", "previous section", priority=True),
        *(Binding(str(n), f"show_section({n - 1})", show=False) for n in range(1, 10)),
        Binding("r", "cycle_range", "range"),
        Binding("p", "toggle_pause", "pause"),
        Binding("q", "quit", "quit"),
    ]

    def __init__(self, open_source: Callable[[], Source], sections: list[Section], range_text: str = "15m",
                 refresh_seconds: float = 5.0) -> None:
        super().__init__()
        self.open_source = open_source
        self.source: Source | None = None
        self.sections = sections
        self.range_text = range_text
        self.refresh_seconds = refresh_seconds
        self.current = 0
        self.paused = False
        self.snapshot: Snapshot | None = None
        self.problem = ""
        self.refreshes = 0  # completed refreshes, for tests and the bench

    def compose(self) -> ComposeResult:
        yield SectionTabs(id="tabs")
        yield Grid(id="panels")
        yield AlertsView(id="alerts")
        yield StatusLine(id="status")

    def on_mount(self) -> None:
        self.show_section()
        self.fetch()
        self.set_interval(self.refresh_seconds, self.tick)

    def on_unmount(self) -> None:
        if self.source is not None:
            self.source.close()

    # What is on screen

    def show_section(self) -> None:
        section = self.sections[self.current]
        self.query_one(SectionTabs).show(self.sections, self.current)
        grid = self.query_one("#panels", Grid)
        grid.border_title = Text(printable(f"§{section.number} {section.title}"))
        grid.remove_children()
        charts = section_charts(section)
        if charts:
            grid.mount_all(PanelView(panel) for panel in charts)
        self.call_after_refresh(self.show_data)

    def show_data(self) -> None:
        if self.snapshot is not None:
            section = self.snapshot.sections[self.current]
            for data in section.panels:
                for view in self.query(f"#panel-{data.panel.id}").results(PanelView):
                    view.show(data)
            self.query_one(AlertsView).show(section.alerts)
        self.show_status()

    def show_status(self) -> None:
        taken = self.snapshot.taken_at if self.snapshot else None
        seconds = self.snapshot.seconds if self.snapshot else None
        name = self.source.name if self.source else "no stack"
        shown_range = self.range_text
        if self.snapshot and self.snapshot.data_since and self.snapshot.range_text == self.range_text:
            shown_range += f" (data since {time.strftime('%H:%M:%S', time.localtime(self.snapshot.data_since))})"
        self.query_one(StatusLine).show(name, shown_range, self.paused, taken, seconds, self.problem)

    # Fetching, off the UI thread

    def tick(self) -> None:
        if not self.paused:
            self.fetch()

    @work(thread=True, exclusive=True, group="fetch")
    def fetch(self) -> None:
        try:
            if self.source is None:
                self.source = self.open_source()
            snapshot = fetch_snapshot(self.source.prometheus, self.sections, self.range_text,
                                      self.source.grafana_states)
            self.call_from_thread(self.take, snapshot, snapshot.problem)
        except MonlabError as error:
            self.call_from_thread(self.take, None, error.one_line())
        except Exception as error:  # noqa: BLE001 - on screen, never a traceback over the dashboard
            self.call_from_thread(self.take, None, f"Refresh failed: {type(error).__name__}: {error}")

    def take(self, snapshot: Snapshot | None, problem: str) -> None:
        if snapshot is not None:
            self.snapshot = snapshot
        self.problem = printable(problem)
        self.refreshes += 1
        self.show_data()

    # Keys

    def action_show_section(self, index: int) -> None:
        if 0 <= index < len(self.sections) and index != self.current:
            self.current = index
            self.show_section()

    def action_next_section(self) -> None:
        self.action_show_section((self.current + 1) % len(self.sections))

    def action_previous_section(self) -> None:
        self.action_show_section((self.current - 1) % len(self.sections))

    def action_cycle_range(self) -> None:
        position = RANGES.index(self.range_text) if self.range_text in RANGES else -1
        self.range_text = RANGES[(position + 1) % len(RANGES)]
        self.show_status()
        self.fetch()

    def action_toggle_pause(self) -> None:
        self.paused = not self.paused
        self.show_status()


def run_live(open_source: Callable[[], Source], sections: list[Section], range_text: str, refresh_seconds: float) -> None:
    DashboardApp(open_source, sections, range_text, refresh_seconds).run()
