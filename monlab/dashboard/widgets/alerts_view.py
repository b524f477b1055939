"""A section's alerts and their states in Prometheus (and Grafana when it runs)."""

from __future__ import annotations

from textual.widgets import Static

from monlab.dashboard.data import AlertData
from monlab.dashboard.render import alert_line


class AlertsView(Static):
    def show(self, alerts: list[AlertData]) -> None:
        self.update(alert_line(alerts))
