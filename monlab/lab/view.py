"""What a student sees while a lab runs: the lecture's goal, each step, the numbers, ✓/✗ and links."""

from __future__ import annotations

from rich.console import Console
from rich.status import Status
from rich.table import Table

from monlab.catalog import Panel, Section
from monlab.lab.results import CheckResult, FigureInfo, LabResult
from monlab.load import LoadPlan, LoadResult, run_load
from monlab.load_view import run_with_progress
from monlab.prometheus_api import RangeSeries
from monlab.shown_text import terminal_markup
from monlab.units import format_value


class LabView:
    def __init__(self, console: Console | None = None) -> None:
        self.console = console or Console()
        self._pending: str | None = None  # a step's title, until its check line stands in for it
        self._status: Status | None = None
        self._links_shown: set[str] = set()

    def section(self, section: Section) -> None:
        self.flush()
        self._links_shown.clear()
        self.console.rule(f"[bold]§{section.number} {terminal_markup(section.title)}[/bold] ({terminal_markup(section.name)})")
        self.console.print(f"[bold]Goal:[/bold] {terminal_markup(section.goal)}")

    def look_at(self, lines: list[str]) -> None:
        """What to watch and where, on this stack; links are never wrapped or cut."""
        if lines:
            self.console.print("[bold]Look at:[/bold]")
        for line in lines:
            self.console.print(f"  {terminal_markup(line)}", soft_wrap=True)

    def narrate(self, text: str) -> None:
        self.flush()
        self.console.print(f"[italic]{terminal_markup(text)}[/italic]")

    def step(self, title: str, quiet: bool = False) -> None:
        """A step starts: a spinner on a terminal; its check's line replaces it. A step without a
        check is printed as `→ title` once the next thing happens; a quiet one never is."""
        self.flush()
        self._pending = None if quiet else title
        if self.console.is_terminal:
            self._status = self.console.status(terminal_markup(title), spinner="dots")
            self._status.start()

    def action(self, title: str) -> None:
        self.flush()
        self.console.print(f"[cyan]→[/cyan] {terminal_markup(title)}")

    def flush(self) -> None:
        if self._status is not None:
            self._status.stop()
            self._status = None
        if self._pending is not None:
            self.console.print(f"[cyan]→[/cyan] {terminal_markup(self._pending)}")
            self._pending = None

    def note(self, text: str) -> None:
        self.flush()
        self.console.print(f"  {terminal_markup(text)}")

    def check(self, check: CheckResult) -> None:
        self._pending = None
        self.flush()
        mark = {True: "[green]✓[/green]", False: "[red]✗[/red]", None: "[yellow]–[/yellow]"}[check.passed]
        self.console.print(f"{mark} {terminal_markup(check.name)}: {terminal_markup(check.detail)}")
        if check.failed and check.hint:
            self.console.print(f"  [red]hint:[/red] {terminal_markup(check.hint)}")
        self._link(check.link)

    def figure(self, name: str, value: float, link: str = "", unit: FigureInfo = FigureInfo()) -> None:
        self._pending = None
        self.flush()
        compares = f" ({terminal_markup(unit.compares)})" if unit.compares else ""
        self.console.print(f"  [bold magenta]{terminal_markup(name)}[/bold magenta] = {format_value(value, unit.unit)}{compares}")
        self._link(link)

    def _link(self, link: str) -> None:
        """Each panel or graph link once per section: the first check that looks at it shows it."""
        if link and link not in self._links_shown:
            self._links_shown.add(link)
            self.console.print(f"  [dim]{terminal_markup(link)}[/dim]", soft_wrap=True)

    def table(self, caption: str, columns: list[str], rows: dict[str, list[str]]) -> None:
        """Figures side by side, each already written with its unit."""
        self.flush()
        table = Table(title=terminal_markup(caption))
        table.add_column("", overflow="fold")
        for column in columns:
            table.add_column(terminal_markup(column), justify="right", overflow="fold")  # piped at 80 columns: wrapped, never cut with …
        for label, values in rows.items():
            table.add_row(terminal_markup(label), *values)
        self.console.print(table)

    def chart(self, panel: Panel, series: list[RangeSeries], thresholds: tuple = (), restarts: tuple = ()) -> None:
        """A panel's series: a line chart as wide as the terminal, or plain lines when not a TTY."""
        from monlab.dashboard.chart_text import chart_lines, plain_lines

        self.flush()
        if self.console.is_terminal:
            for line in chart_lines(panel, series, self.console.width - 2, thresholds, restarts):
                self.console.print(line, soft_wrap=True)
        else:
            for line in plain_lines(panel, series, thresholds, restarts):
                self.console.print(line, soft_wrap=True, markup=False, highlight=False)

    def load(self, base_url: str, plan: LoadPlan) -> LoadResult:
        if self._status is not None:  # the progress bar takes the spinner's place
            self._status.stop()
            self._status = None
        if self.console.is_terminal:
            return run_with_progress(self.console, base_url, plan)
        return run_load(base_url, plan)

    def summary(self, results: list[LabResult]) -> None:
        self.flush()
        table = Table(title="Lab results")
        for column in ("section", "checks", "figures", "verdict"):
            table.add_column(column, overflow="fold")
        for lab in results:
            counts = f"{sum(c.passed is True for c in lab.checks)} ✓ / {sum(c.failed for c in lab.checks)} ✗"
            skipped = sum(c.skipped for c in lab.checks)
            figures = terminal_markup(", ".join(f"{k} = {lab.figure_text(k)}" for k in lab.figures))
            table.add_row(terminal_markup(lab.name), counts + (f" / {skipped} skipped" if skipped else ""), figures,
                          "[green]passed[/green]" if lab.passed else "[red]failed[/red]")
        self.console.print(table)
