"""`lab all` keeps pace (issue 18, Deliver 7) without skipping a wait the lecture needs: a redeploy
that changed nothing does not make the next mark wait for a scrape, and a chart drawn after a
background load waits for that load (bounded), the rest of the section going on meanwhile."""

from __future__ import annotations

import threading
from types import SimpleNamespace

import pytest

from monlab.lab.context import Activity, Background
from monlab.lab.kinds.chart import _await_load, rate_window
from monlab.lab.runner import _after_touching
from monlab.waiting import REAL_CLOCK


@pytest.mark.parametrize("expr, seconds", [
    ("sum(rate(x_sum[15s])) / sum(rate(x_count[15s]))", 15),
    ("histogram_quantile(0.95, sum by (le) (rate(x_bucket[1m])))", 60),
    ("rate(a[30s]) + increase(b[1h])", 3600),
    ('up{job="flask-app-uptime"}', 0),
])
def test_a_charts_rate_window_is_its_longest_range(expr, seconds):
    assert rate_window(expr) == seconds


class Clock:
    def __init__(self, at: float) -> None:
        self.at = at

    def query_value(self, expr: str) -> float:
        assert expr == "time()"
        return self.at


@pytest.mark.parametrize("kept, expected", [(True, 100.0), (False, 250.0)])
def test_a_step_that_left_the_app_as_it_was_keeps_the_earlier_activity(kept, expected):
    ctx = SimpleNamespace(activity=Activity(at=None, kept=kept), prometheus=Clock(250.0))
    _after_touching(ctx, 100.0)
    assert ctx.activity.at == expected


class Notes:
    def __init__(self) -> None:
        self.notes: list[str] = []

    def note(self, text: str) -> None:
        self.notes.append(text)


def _context(job: Background) -> SimpleNamespace:
    return SimpleNamespace(background=[job], clock=REAL_CLOCK, view=Notes())


def test_a_chart_after_a_load_waits_until_it_has_ended():
    job = Background("steady load", id="steady", ends_by=REAL_CLOCK.now() + 10)
    job.thread = threading.Thread(target=lambda: threading.Event().wait(0.3))  # a load lasts its duration
    job.thread.start()
    ctx = _context(job)
    _await_load(ctx, "steady")
    assert not job.thread.is_alive() and ctx.view.notes == []


def test_a_load_past_its_end_does_not_hold_the_chart_and_says_so():
    release = threading.Event()
    job = Background("steady load", id="steady", ends_by=REAL_CLOCK.now() - 1)
    job.thread = threading.Thread(target=lambda: release.wait(10))
    job.thread.start()
    try:
        ctx = _context(job)
        _await_load(ctx, "steady")
        assert job.thread.is_alive() and ctx.view.notes == ["drawn while steady load still runs"]
    finally:
        release.set()
        job.thread.join()
