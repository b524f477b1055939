"""Where a student looks while a section runs, naming only what this stack has: online the Grafana
row; without Grafana the terminal dashboard and the Prometheus pages this Prometheus serves.

Prometheus 3 (and upstream 2.x) serve their UI at /graph, /targets, /alerts. Debian's 2.42 is built
without the React UI: /targets answers 404 and /graph redirects to /classic/graph, dropping the
query; its pages live under /classic/. Which one runs is asked of the server, not guessed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable
from urllib.parse import urlencode

from monlab.catalog import Panel, Section
from monlab.project import DEFAULT_PROJECT
from monlab.stackinfo import StackInfo

if TYPE_CHECKING:
    from monlab.lab.model import Lab

CLASSIC_UI = "/classic"
RANGE_INPUT = "15m"


def lab_panels(lab: "Lab") -> list[Panel]:
    """The section's own panels, then those its `chart` steps draw (e.g. §9 charts §5's latency)."""
    panels = {p.id: p for p in lab.section.panels}
    for step in lab.steps:
        if step.kind == "chart":
            panels.setdefault(step.params.panel.id, step.params.panel)
    return list(panels.values())


def ui_prefix(answers_ok: Callable[[str], bool]) -> str:
    """"" where the server has the current UI, "/classic" where only the classic pages exist."""
    if answers_ok("/targets"):
        return ""
    return CLASSIC_UI if answers_ok(f"{CLASSIC_UI}/targets") else ""


def graph_url(base_url: str, prefix: str, exprs: list[str]) -> str:
    """One Prometheus graph page with a graph per expression (g0, g1, ...)."""
    params: dict[str, str] = {}
    for i, expr in enumerate(exprs):
        params.update({f"g{i}.expr": expr, f"g{i}.tab": "0", f"g{i}.range_input": RANGE_INPUT})
    return f"{base_url}{prefix}/graph?{urlencode(params)}"


def page_url(base_url: str, prefix: str, page: str) -> str:
    """A Prometheus page such as targets or alerts."""
    return f"{base_url}{prefix}/{page}"


def dashboard_command(section: Section, info: StackInfo) -> str:
    """`monlab dashboard` for this section of this stack; a stack given by URLs is named by its Prometheus URL."""
    if info.project.startswith(("http://", "https://")):  # url_stack names such a stack by its Prometheus URL
        where = f" --prometheus-url {info.project}"
    else:
        where = "" if info.project == DEFAULT_PROJECT else f" --project {info.project}"
    return f"monlab dashboard --section {section.name}{where}"


def look_at(section: Section, panels: list[Panel], info: StackInfo, prefix: str, grafana_dashboard: str = "") -> list[str]:
    """What to watch (the lab file's words), then where: lines a view prints as they are."""
    what = [section.look_at] if section.look_at else []
    if grafana_dashboard:
        return what + [f'Grafana, row "§{section.number} {section.title}": {grafana_dashboard}']
    where = [f"In the terminal: {dashboard_command(section, info)}"]
    prometheus = info.url("prometheus")
    if prometheus and panels:
        where.append(f"In Prometheus: {graph_url(prometheus, prefix, [p.expr for p in panels])}")
    return what + where


def dashboard_url(info: StackInfo) -> str:
    """The lecture dashboard in this stack's Grafana; "" without one."""
    if not info.has_grafana:
        return ""
    from monlab.render.panels import dashboard_path

    return f"{info.url('grafana')}{dashboard_path()}"
