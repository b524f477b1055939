"""How a load run looks in the terminal: a progress bar while it runs, a latency summary after."""

from __future__ import annotations

import threading

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from monlab.load import LoadPlan, LoadResult, run_load
from monlab.shown_text import terminal_markup
from monlab.units import duration, format_value, rate

PERCENTILES = (50, 95, 99)


def run_with_progress(console: Console, base_url: str, plan: LoadPlan, stop: threading.Event | None = None) -> LoadResult:
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task(terminal_markup(f"{plan.method} {plan.path}"), total=plan.count)  # a lab file's path
        return run_load(base_url, plan, progress=lambda done: bar.update(task, completed=done), stop=stop)


def ms(seconds: float | None) -> str:
    return format_value(seconds, "s")


def summary_line(result: LoadResult) -> str:
    statuses = ", ".join(f"{n}× {code}" for code, n in sorted(result.statuses.items()))
    errors = ", ".join(f"{n}× {name}" for name, n in sorted(result.errors.items()))
    answers = "; ".join(part for part in (statuses, errors) if part) or "no answers"
    covers = f" ({result.covers()})" if result.covers() else ""
    return (f"{_requests(result.sent)} in {duration(result.elapsed)} ({rate(result.throughput)}): {answers}; "
            f"p50 {ms(result.percentile(50))}, p95 {ms(result.percentile(95))}{covers}")


def summary_headline(result: LoadResult) -> str:
    headline = f"{_requests(result.sent)} in {duration(result.elapsed)} ({rate(result.throughput)})"
    if result.mostly_unanswered:
        return f"{headline}; most got no answer: the latencies above are {result.covers()}"
    return f"{headline}; latencies {result.covers()}" if result.covers() else headline


def _requests(count: int) -> str:
    return "1 request" if count == 1 else f"{count:,} requests"


def summary_table(result: LoadResult) -> Table:
    table = Table()
    table.add_column("measure")
    table.add_column("value", justify="right")
    only = " (answered only)" if result.unanswered else ""
    for p in PERCENTILES:
        table.add_row(f"latency p{p}{only}", ms(result.percentile(p)))
    table.add_row(f"latency mean{only}", ms(result.mean))
    if result.unanswered:
        table.add_row("answered", f"{result.answered:,} of {result.sent:,}")
    for code, n in sorted(result.statuses.items()):
        table.add_row(f"status {code}", f"{n:,}")
    for name, n in sorted(result.errors.items()):
        table.add_row(f"no answer ({name})", f"{n:,}")
    return table
