"""The live dashboard's Textual widgets, each with its stylesheet beside it."""

from pathlib import Path

from monlab.dashboard.widgets.alerts_view import AlertsView
from monlab.dashboard.widgets.panel_view import PanelView
from monlab.dashboard.widgets.section_tabs import SectionTabs
from monlab.dashboard.widgets.status_line import StatusLine

HERE = Path(__file__).parent
CSS_PATHS = [HERE / name for name in ("panel_view.tcss", "alerts_view.tcss", "section_tabs.tcss", "status_line.tcss")]

__all__ = ["AlertsView", "PanelView", "SectionTabs", "StatusLine", "CSS_PATHS"]
