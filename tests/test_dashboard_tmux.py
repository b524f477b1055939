"""The live dashboard in a real terminal: tmux at 80 and 160 columns, its screen read back with
capture-pane, checked for what a person needs to read it (one-line tabs and status, legends with
their values on the same line, panels that close inside the screen)."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from conftest import require
from dashboard_fixtures import stack  # noqa: F401 (a fixture: the app and Prometheus with lecture traffic)
from monlab.waiting import Outcome, poll

pytestmark = pytest.mark.prometheus
ROOT = Path(__file__).resolve().parent.parent


class Tmux:
    """One tmux server of our own (its own socket), so nothing else's sessions are touched."""

    def __init__(self, width: int, height: int, command: str) -> None:
        self.socket = f"wt19a-{uuid.uuid4().hex[:8]}"
        self.run("new-session", "-d", "-s", "dash", "-x", str(width), "-y", str(height), command)

    def run(self, *args: str) -> str:
        return subprocess.run(["tmux", "-L", self.socket, *args], capture_output=True, text=True, timeout=20,
                              check=True).stdout

    def screen(self) -> list[str]:
        return self.run("capture-pane", "-p", "-t", "dash").splitlines()

    def keys(self, *keys: str) -> None:
        self.run("send-keys", "-t", "dash", *keys)

    def close(self) -> None:
        subprocess.run(["tmux", "-L", self.socket, "kill-server"], capture_output=True, timeout=20)


def shows(tmux: Tmux, *words: str) -> Outcome:
    lines = tmux.screen()
    text = "\n".join(lines)
    return Outcome(all(w in text for w in words), lines)


@pytest.mark.parametrize("width", [80, 160])
def test_the_dashboard_reads_at_a_glance_in_a_real_terminal(stack, width):
    require(shutil.which("tmux") is not None, "tmux")
    # the terminal's size is tmux's: pytest's COLUMNS/LINES would override it in the app
    command = (f"cd {shlex.quote(str(ROOT))} && env -u COLUMNS -u LINES {shlex.quote(sys.executable)} -m monlab dashboard "
               f"--prometheus-url {stack.prometheus_url} --range 5m --refresh 30s")
    tmux = Tmux(width, 40, command)
    try:
        first = poll(lambda: shows(tmux, "§4 Monitoring for System Reliability", "flask-app-uptime 1"),
                     timeout=40, interval=0.3)
        assert first.done, "\n".join(first.value or [])
        tmux.keys("4")
        security = poll(lambda: shows(tmux, "§7 Security Monitoring", "status=failure", "× success"),
                        timeout=20, interval=0.3)
        assert security.done, "\n".join(security.value or [])
        lines = security.value
    finally:
        tmux.close()
    text = "\n".join(lines)
    assert re.search(r"1 §4 .*6 §9", lines[0]), lines[0]  # every tab on the first line
    if width >= 160:
        assert "6 §9 improvement" in lines[0]
    assert "{instance=" not in text  # legends are short names, not raw label sets
    assert re.search(r"• status=failure [\d.]+ req/s", text)  # the value on the legend's line
    assert re.search(r"• failure [\d.]+k?\s+× success [\d.]+", text)
    assert "FailedLoginBurst alert query" in text and "FailedLoginBurst > 10" in text
    [status] = [line for line in lines if stack.prometheus_url in line]
    assert stack.prometheus_url in status and "last 5m" in status and re.search(r"tab.1-6", status), status
    for line in lines:  # every panel closes inside the screen: its right border is there
        if line.startswith(("╭", "│", "╰")):
            assert line.rstrip()[-1] in "╮│╯", line
    assert max(len(line) for line in lines) <= width
