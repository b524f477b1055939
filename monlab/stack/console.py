"""How the stack commands look in a terminal: build/pull progress while `up` runs, then tables.
Everything goes to stderr, so `--json` output on stdout stays pure JSON."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn
from rich.status import Status
from rich.table import Table
from rich.text import Text

from monlab.stack.plan import Action
from monlab.stack.status import StatusReport
from monlab.stackinfo import StackInfo

console = Console(stderr=True, highlight=False)


class RichReporter:
    """Shows `up`'s steps, the build's step lines and per-layer pull progress."""

    def __init__(self) -> None:
        self._progress: Progress | None = None
        self._layers: dict[str, Any] = {}
        self._build_status: Status | None = None
        self._build_steps = self._cached_steps = 0

    def step(self, text: str) -> None:
        self._finish_pull()
        self._finish_build()
        console.print(f"[bold]•[/bold] {text}")

    def build(self, chunk: dict[str, Any]) -> None:
        """One transient line with the current Dockerfile step; a summary line when the build ends."""
        line = (chunk.get("stream") or "").strip()
        if line.startswith("Step "):
            self._build_steps += 1
            if self._build_status is None:
                self._build_status = console.status("", spinner="dots")
                self._build_status.start()
            self._build_status.update(Text(f"  {line}", style="dim"))
        elif "Using cache" in line:
            self._cached_steps += 1

    def _finish_build(self) -> None:
        if self._build_status is None:
            return
        self._build_status.stop()
        console.print(f"  built: {self._build_steps} steps, {self._cached_steps} from cache", style="dim")
        self._build_status, self._build_steps, self._cached_steps = None, 0, 0

    def pull(self, ref: str, chunk: dict[str, Any]) -> None:
        layer, detail = chunk.get("id"), chunk.get("progressDetail") or {}
        if not layer or not detail.get("total"):
            return
        if self._progress is None:
            self._progress = Progress(TextColumn("  {task.description}"), BarColumn(), DownloadColumn(), console=console)
            self._progress.start()
        if layer not in self._layers:
            self._layers[layer] = self._progress.add_task(f"{ref} {layer}", total=detail["total"])
        self._progress.update(self._layers[layer], completed=detail.get("current", 0), total=detail["total"])

    def _finish_pull(self) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress, self._layers = None, {}

    def close(self) -> None:
        self._finish_pull()
        self._finish_build()


def show_up(info: StackInfo, actions: list[Action]) -> None:
    changed = [f"{a.kind} {a.service}" for a in actions if a.changes]
    console.print(f"Stack {info.project!r} is ready" + (f" ({', '.join(changed)})." if changed else "; nothing changed."))
    _services_table(info)
    _login(info)


def show_status(report: StatusReport) -> None:
    _services_table(report.info)
    if report.targets:
        table = Table("job", "instance", "health", "last error", title="Prometheus targets")
        for t in report.targets:
            table.add_row(t.job, t.instance, _health(t.health), t.last_error or "-")
        console.print(table)
    else:
        console.print(f"Prometheus targets: unknown ({report.targets_error}).")
    _login(report.info)


def _services_table(info: StackInfo) -> None:
    table = Table("service", "state", "health", "url", title=f"monlab project {info.project}")
    for service in info.services.values():
        table.add_row(service.name, _health(service.state), service.health or "-", service.url or "-")
    console.print(table)
    for note in info.notes:
        console.print(f"Note: {note}.")


def _login(info: StackInfo) -> None:
    if info.grafana_password and info.url("grafana"):
        console.print(f"Grafana: {info.url('grafana')}  user {info.grafana_user}  password {info.grafana_password}")


def _health(word: str) -> str:
    color = {"running": "green", "up": "green", "healthy": "green"}.get(word, "red")
    return f"[{color}]{word}[/{color}]"
