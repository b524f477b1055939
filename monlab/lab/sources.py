"""Where a checked or recorded number comes from: a catalog panel or alert, a raw query, or a figure.

Lab files name the catalog's panels and alerts rather than repeating their PromQL.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from monlab.lab.context import RunContext
from monlab.lab.kind import StepSource
from monlab.prometheus_api import Sample
from monlab.units import plain

SOURCE_KEYS = ("panel", "alert", "query", "figure")
QUERY_FIELDS = {"panel": str, "alert": str, "query": str, "labels": dict}
SOURCE_FIELDS = {**QUERY_FIELDS, "figure": str}


@dataclass(frozen=True)
class ValueSource:
    label: str  # how it is shown: "panel avg-latency", "figure speedup", ...
    expr: str = ""
    figure: str = ""
    labels: dict[str, str] = field(default_factory=dict)  # keep only series with these labels
    panel_id: str = ""

    def shown(self) -> str:
        where = ", ".join(f'{k}="{v}"' for k, v in self.labels.items())
        return f"{self.label}{{{where}}}" if where else self.label


def parse_source(src: StepSource, keys: tuple[str, ...] = SOURCE_KEYS) -> ValueSource:
    key = src.one_of(keys)
    name = src.get(key)
    labels = {str(k): str(v) for k, v in (src.get("labels") or {}).items()}
    if key == "figure":
        return ValueSource(f"figure {name}", figure=src.earlier(key, name, src.refs.figures, "figure"))
    if key == "query":
        return ValueSource(name, expr=name, labels=labels)
    if key == "panel":
        panel = src.catalog.panel(name)
        if panel is None:
            raise src.error(key, f"no panel {name!r} in the catalog ({', '.join(p.id for p in src.catalog.panels)})")
        return ValueSource(f"panel {name}", expr=panel.expr, labels=labels, panel_id=panel.id)
    alert = src.catalog.alert(name)
    if alert is None:
        raise src.error(key, f"no alert {name!r} in the catalog ({', '.join(a.name for a in src.catalog.alerts)})")
    return ValueSource(f"alert {name}'s query", expr=alert.query, labels=labels, panel_id=alert.panel)


def select(samples: list[Sample], labels: dict[str, str]) -> float | None:
    """The sum of the series carrying `labels`; None when there is none."""
    chosen = [s.value for s in samples if all(s.labels.get(k) == v for k, v in labels.items())]
    return math.fsum(chosen) if chosen else None


def read_value(ctx: RunContext, source: ValueSource) -> float | None:
    if source.figure:
        return ctx.figures.get(source.figure)
    return select(ctx.prometheus.query(source.expr), source.labels)


def value_at_mark(ctx: RunContext, source: ValueSource, mark: str) -> float:
    """A raw counter's value at a mark; a series that did not exist yet counted 0."""
    value = select(ctx.marks[mark].samples.get(source.expr, []), source.labels)
    return 0.0 if value is None else value


def fmt(value: float | None) -> str:
    if value is None:
        return "no data"
    if not math.isfinite(value):
        return "NaN" if math.isnan(value) else str(value)
    return plain(value, digits=6)  # exact enough to compare with a check's target, never e-notation
