"""The lecture's panels and alerts, written once in labs/*.yaml.

Everything else derives from this catalog: the Grafana dashboard, the Grafana and Prometheus alert
rules, the queries the labs check and what any terminal view shows.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from monlab.labfile import LabFileError, check_fields, check_list, join, read_yaml
from monlab.resources import labs_dir

PANEL_KINDS = ("timeseries", "stat")
ALERT_OPS = {">": "gt", "<": "lt"}
SEVERITIES = ("info", "warning", "critical")
_DURATION = re.compile(r"^(\d+)(ms|s|m|h)$")
_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_ALERT_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9]*$")
# Grafana keeps rule uids to 40 characters of [a-zA-Z0-9-_] (pkg/util/shortid_generator.go):
# "monlab-" (7) + slug (20) + "-" (1) + digest (12) = 40.
RULE_UID_SLUG = 20
RULE_UID_DIGEST = 12


@dataclass(frozen=True)
class Panel:
    id: str
    title: str
    expr: str
    unit: str = "short"
    kind: str = "timeseries"
    lecture: bool = False  # the query is the lecture's, verbatim
    legend: str = ""
    description: str = ""


@dataclass(frozen=True)
class Alert:
    name: str
    query: str  # the value watched; the firing condition is `query op threshold`
    op: str
    threshold: float
    for_: str
    severity: str
    summary: str
    panel: str = ""

    @property
    def expr(self) -> str:
        return f"{self.query} {self.op} {_number(self.threshold)}"

    @property
    def for_seconds(self) -> float:
        return parse_duration(self.for_)

    @property
    def uid(self) -> str:
        """The Grafana rule uid: readable prefix plus a digest of the whole name, so names that share
        a long prefix or differ only in case never meet in Grafana's 40-character uid limit."""
        slug = re.sub(r"[^a-z0-9]+", "-", self.name.lower()).strip("-")[:RULE_UID_SLUG]
        digest = hashlib.sha256(self.name.encode()).hexdigest()[:RULE_UID_DIGEST]
        return f"monlab-{slug}-{digest}"


@dataclass(frozen=True)
class Section:
    name: str
    number: int
    title: str
    goal: str
    look_at: str
    panels: tuple[Panel, ...]
    alerts: tuple[Alert, ...]
    steps: tuple[Any, ...] = ()  # raw; the lab engine validates them
    file: Path = field(default=Path("."), compare=False)


@dataclass(frozen=True)
class Catalog:
    sections: tuple[Section, ...]

    def section(self, name: str) -> Section | None:
        return next((s for s in self.sections if s.name == name), None)

    @property
    def panels(self) -> list[Panel]:
        return [p for s in self.sections for p in s.panels]

    @property
    def alerts(self) -> list[Alert]:
        return [a for s in self.sections for a in s.alerts]

    def panel(self, panel_id: str) -> Panel | None:
        return next((p for p in self.panels if p.id == panel_id), None)

    def alert(self, name: str) -> Alert | None:
        return next((a for a in self.alerts if a.name == name), None)


def parse_duration(text: str) -> float:
    match = _DURATION.match(text)
    if not match:
        raise ValueError(f"{text!r} is not a duration like 15s, 1m or 500ms")
    number, unit = int(match.group(1)), match.group(2)
    return number * {"ms": 0.001, "s": 1, "m": 60, "h": 3600}[unit]


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _panel(file: Path, where: str, raw: Any) -> Panel:
    data = check_fields(
        file, where, raw,
        required={"id": str, "title": str, "expr": str},
        optional={"unit": str, "kind": str, "lecture": bool, "legend": str, "description": str},
    )
    if not _ID.match(data["id"]):
        raise LabFileError(file, join(where, "id"), "must be lowercase letters, digits and '-'")
    if data.get("kind", "timeseries") not in PANEL_KINDS:
        raise LabFileError(file, join(where, "kind"), f"must be one of {', '.join(PANEL_KINDS)}")
    return Panel(**data)


def _alert(file: Path, where: str, raw: Any) -> Alert:
    data = check_fields(
        file, where, raw,
        required={"name": str, "query": str, "op": str, "threshold": (int, float), "for": str,
                  "severity": str, "summary": str},
        optional={"panel": str},
    )
    if not _ALERT_NAME.match(data["name"]):
        raise LabFileError(file, join(where, "name"), "must be CamelCase letters and digits")
    if data["op"] not in ALERT_OPS:
        raise LabFileError(file, join(where, "op"), f"must be one of {', '.join(ALERT_OPS)}")
    if data["severity"] not in SEVERITIES:
        raise LabFileError(file, join(where, "severity"), f"must be one of {', '.join(SEVERITIES)}")
    if "{{" in data["summary"]:  # Prometheus and Grafana expand it as a Go template: `{{` breaks or runs in it
        raise LabFileError(file, join(where, "summary"), "must not contain '{{' (template syntax); write the text plainly")
    try:
        parse_duration(data["for"])
    except ValueError as exc:
        raise LabFileError(file, join(where, "for"), str(exc)) from exc
    data["for_"] = data.pop("for")
    data["threshold"] = float(data["threshold"])
    return Alert(**data)


def load_section(file: Path) -> Section:
    raw = check_fields(
        file, "", read_yaml(file),
        required={"name": str, "section": int, "title": str, "goal": str},
        optional={"look_at": str, "panels": list, "alerts": list, "steps": list},
    )
    if raw["name"] != file.stem:
        raise LabFileError(file, "name", f"must match the file name {file.stem!r}")
    panels = tuple(_panel(file, f"panels[{i}]", p) for i, p in enumerate(check_list(file, "panels", raw.get("panels", []))))
    alerts = tuple(_alert(file, f"alerts[{i}]", a) for i, a in enumerate(check_list(file, "alerts", raw.get("alerts", []))))
    panel_ids = {p.id for p in panels}
    for i, alert in enumerate(alerts):
        if alert.panel and alert.panel not in panel_ids:
            raise LabFileError(file, f"alerts[{i}].panel", f"names no panel of this file ({alert.panel!r})")
    return Section(
        name=raw["name"], number=raw["section"], title=raw["title"], goal=raw["goal"].strip(),
        look_at=raw.get("look_at", "").strip(), panels=panels, alerts=alerts,
        steps=tuple(raw.get("steps", [])), file=file,
    )


def load_catalog(directory: Path | None = None) -> Catalog:
    directory = directory or labs_dir()
    files = sorted(directory.glob("*.yaml"))
    if not files:
        raise LabFileError(directory, "", "holds no lab files (*.yaml); see labs/README.md for how to write one")
    sections = sorted((load_section(f) for f in files), key=lambda s: s.number)
    _check_unique(sections)
    return Catalog(tuple(sections))


def _check_unique(sections: list[Section]) -> None:
    """Panel ids, alert names (ignoring case: one alert to Grafana and to a reader) and the Grafana
    rule uids derived from them are each used once across all lab files."""
    seen_panels: dict[str, Path] = {}
    seen_alerts: dict[str, tuple[str, Path]] = {}
    seen_uids: dict[str, tuple[str, Path]] = {}
    for section in sections:
        for i, panel in enumerate(section.panels):
            if panel.id in seen_panels:
                raise LabFileError(section.file, f"panels[{i}].id", f"{panel.id!r} is also used in {seen_panels[panel.id].name}")
            seen_panels[panel.id] = section.file
        for i, alert in enumerate(section.alerts):
            where = f"alerts[{i}].name"
            if alert.name.lower() in seen_alerts:
                other, file = seen_alerts[alert.name.lower()]
                raise LabFileError(section.file, where, f"{alert.name!r} is also used in {file.name} (as {other!r}; alert names must differ in more than case)")
            if alert.uid in seen_uids:
                other, file = seen_uids[alert.uid]
                raise LabFileError(section.file, where, f"{alert.name!r} gets the Grafana rule uid {alert.uid} of {other!r} in {file.name}; rename one")
            seen_alerts[alert.name.lower()] = (alert.name, section.file)
            seen_uids[alert.uid] = (alert.name, section.file)
