"""Everything a running step may use and leave behind for later steps of the same lab."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from monlab.catalog import Catalog
from monlab.errors import ServiceError
from monlab.interrupts import Leftovers
from monlab.lab.guidance import graph_url, page_url, ui_prefix
from monlab.lab.timing import Timing
from monlab.prometheus_api import PrometheusAPI, Sample
from monlab.stackinfo import StackControl, StackInfo
from monlab.waiting import REAL_CLOCK, Clock

if TYPE_CHECKING:
    from monlab.lab.model import Lab
    from monlab.lab.view import LabView
    from monlab.load import LoadResult


RESTART_TAGS = ("monlab", "restart")


@dataclass
class Mark:
    at: float  # clock time when the mark was set
    samples: dict[str, list[Sample]] = field(default_factory=dict)  # query -> what it returned then


@dataclass
class Activity:
    """When (Prometheus' clock) monlab's last request to the app was answered, across the sections
    of one command: a scrape that started later already holds every count, so a mark need not wait."""

    at: float | None = None  # None: unknown (something may have changed the counters since)
    kept: bool = False  # set by a step that, as it turned out, left the app as it was


@dataclass
class Background:
    title: str
    stop: threading.Event = field(default_factory=threading.Event)
    thread: threading.Thread | None = None
    result: list["LoadResult"] = field(default_factory=list)
    planned: int | None = None  # requests the load meant to send
    id: str = ""  # the load step's id, for a later step that waits for it to end
    ends_by: float | None = None  # clock time by which it ends on its own


@dataclass
class RunContext:
    lab: "Lab"
    stack: StackControl
    info: StackInfo
    prometheus: PrometheusAPI
    catalog: Catalog
    view: "LabView"
    clock: Clock = REAL_CLOCK
    timing: Timing = field(default_factory=Timing)
    student_app: Path | None = None
    grafana_states: Callable[[], dict[str, str]] | None = None  # None: no Grafana in this stack
    panel_link: Callable[[str], str] | None = None  # Grafana panel URL by catalog panel id
    annotate: Callable[[str, tuple[str, ...]], None] | None = None  # posts a Grafana annotation (text, tags)
    marks: dict[str, Mark] = field(default_factory=dict)
    figures: dict[str, float] = field(default_factory=dict)
    loads: dict[str, "LoadResult"] = field(default_factory=dict)
    background: list[Background] = field(default_factory=list)
    undo: dict[str, Callable[[], None]] = field(default_factory=dict)  # disruption -> how to undo it
    _ui_prefix: str | None = None  # where this Prometheus serves its pages, asked once
    activity: Activity = field(default_factory=Activity)
    leftovers: Leftovers = field(default_factory=Leftovers)  # what a Ctrl-C now would leave disrupted

    @property
    def app_url(self) -> str:
        return self.info.url("app") or ""

    def disrupted(self, key: str, undo: Callable[[], None]) -> None:
        """Remember how to undo a disruption; the runner undoes what is left in a finally."""
        self.undo[key] = undo
        self.leftovers.pending(f"lab:{key}", f"The lab left the stack disrupted ({key} not undone): "
                                             f"run `{self.info.up_command}` to repair it")

    def restored(self, key: str) -> None:
        self.undo.pop(key, None)
        self.leftovers.done(f"lab:{key}")

    def mark_restart(self, what: str, how: str) -> None:
        """Online, mark on Grafana's lecture dashboard that the app restarted (its counters start at 0);
        a post Grafana refuses is a note, never a failed section."""
        if self.annotate is None:
            return
        section = self.lab.section
        text = f"monlab lab §{section.number} {section.title}: {what}; the app's counters restart at 0"
        try:
            self.annotate(text, RESTART_TAGS + (how, f"section-{section.number}"))
        except ServiceError as error:
            self.view.note(f"the restart is not marked in Grafana: {error.message}")

    @property
    def ui_prefix(self) -> str:
        if self._ui_prefix is None:
            self._ui_prefix = ui_prefix(self.prometheus.answers_ok)
        return self._ui_prefix

    def link(self, panel_id: str = "", expr: str = "") -> str:
        if panel_id and self.panel_link:
            return self.panel_link(panel_id)
        if expr:
            return graph_url(self.prometheus.base_url, self.ui_prefix, [expr])
        return ""

    def page(self, name: str) -> str:
        """A Prometheus page (targets, alerts) where this server has it."""
        return page_url(self.prometheus.base_url, self.ui_prefix, name)
