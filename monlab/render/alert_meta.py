"""What Prometheus and Grafana alert rules share beyond the query: the same labels and walk order."""

from __future__ import annotations

from typing import Iterator

from monlab.catalog import Alert, Catalog, Section


def alerts_by_section(catalog: Catalog) -> Iterator[tuple[Section, Alert]]:
    for section in catalog.sections:
        for alert in section.alerts:
            yield section, alert


def alert_labels(section: Section, alert: Alert) -> dict[str, str]:
    """The same labels on both kinds of rule, so either can be routed the same way."""
    return {"severity": alert.severity, "section": section.name}
