"""The live dashboard driven headless with Textual's pilot against a real Prometheus scraping the
lab app: what is on screen, the keys, and a Prometheus that does not answer."""

from __future__ import annotations

import asyncio
import math
import xml.etree.ElementTree as ElementTree

import pytest

from dashboard_fixtures import stack  # noqa: F401 (a fixture: the app and Prometheus with lecture traffic)
from monlab.catalog import load_catalog
from monlab.dashboard.source import url_source

pytest.importorskip("textual")
from monlab.dashboard.app import DashboardApp  # noqa: E402
from monlab.dashboard.widgets import PanelView  # noqa: E402

pytestmark = pytest.mark.prometheus
SIZE = (150, 50)


async def refreshed(app, pilot, count: int = 1) -> None:
    """Wait until the worker has delivered `count` more refreshes (the pilot's clock is real)."""
    target = app.refreshes + count
    for _ in range(100):
        await pilot.pause(0.1)
        if app.refreshes >= target:
            return
    raise AssertionError("the dashboard never refreshed")


def screen_text(app) -> str:
    """What the screen shows, from Textual's SVG screenshot of it."""
    root = ElementTree.fromstring(app.export_screenshot())
    return "".join(root.itertext()).replace("\xa0", " ")


def run(scenario, url: str, **options):
    app = DashboardApp(lambda: url_source(url), list(load_catalog().sections), **options)

    async def drive():
        async with app.run_test(size=SIZE) as pilot:
            await scenario(app, pilot)

    asyncio.run(drive())
    return app


def test_every_section_shows_its_panels_with_data_and_alerts_then_q_quits(stack):
    seen: dict[str, int] = {}

    async def scenario(app, pilot):
        await refreshed(app, pilot)
        for number, section in enumerate(app.sections, start=1):
            await pilot.press(str(number))
            await pilot.pause(0.2)
            assert app.current == number - 1
            text = screen_text(app)
            assert f"§{section.number} {section.title}" in text
            for panel in section.panels:
                assert panel.title in text, panel.title
                view = app.query_one(f"#panel-{panel.id}", PanelView)
                assert view.data is not None and view.data.lines, panel.id
                seen[panel.id] = sum(math.isfinite(v) for line in view.data.lines for v in line.values)
            for alert in section.alerts:
                assert f"{alert.name} ({alert.severity}) Prometheus inactive" in text
        assert not app.problem
        await pilot.press("q")

    app = run(scenario, stack.prometheus_url, range_text="5m", refresh_seconds=30)
    assert set(seen) == {p.id for p in load_catalog().panels}
    assert all(count > 0 for count in seen.values()), seen
    assert app.return_code == 0 and not app.is_running


def test_tab_range_and_pause_keys(stack):
    async def scenario(app, pilot):
        await refreshed(app, pilot)
        await pilot.press("tab")
        assert app.current == 1
        await pilot.press("shift+tab", "shift+tab")
        assert app.current == len(app.sections) - 1
        await pilot.press("r")
        assert app.range_text == "15m"
        await refreshed(app, pilot)  # `r` fetches the new range at once
        assert app.snapshot.range_text == "15m" and "last 15m" in screen_text(app)
        await pilot.press("p")
        assert app.paused and "PAUSED" in screen_text(app)
        before = app.refreshes
        await pilot.pause(1.5)  # three refresh periods
        assert app.refreshes == before
        await pilot.press("p")
        await refreshed(app, pilot)
        await pilot.press("q")

    app = run(scenario, stack.prometheus_url, range_text="5m", refresh_seconds=0.5)
    assert app.return_code == 0


def test_a_prometheus_that_does_not_answer_is_shown_on_screen():
    async def scenario(app, pilot):
        await refreshed(app, pilot)
        text = screen_text(app)
        assert "did not answer" in text and "Traceback" not in text
        assert "App uptime (flask-app-uptime)" in text  # the panels stay, waiting
        await pilot.press("q")

    app = run(scenario, "http://127.0.0.1:1", refresh_seconds=30)
    assert app.return_code == 0
