"""`monlab load PATH`: bounded concurrent load on the lab app with a latency summary."""

from __future__ import annotations

from typing import List, Optional

import typer

from monlab.commands.validate import project_option


def register(cli: typer.Typer) -> None:
    cli.command("load")(load)


def load(
    path: str = typer.Argument(..., help="Path on the lab app, e.g. /simulate-load."),
    count: int = typer.Option(100, "-n", "--count", min=1, max=100_000, help="Number of requests (at most 100000)."),
    concurrency: int = typer.Option(10, "-c", "--concurrency", min=1, max=256, help="Requests in flight at once (at most 256)."),
    method: Optional[str] = typer.Option(None, "--method", "-m", help="GET or POST (default: POST with --data, else GET)."),
    data: Optional[List[str]] = typer.Option(None, "--data", "-d", help="Form field key=value (repeatable); sent as a form."),
    project: str = project_option("The stack whose app is the target."),
    url: Optional[str] = typer.Option(None, "--url", help="A loopback base URL instead of the stack (e.g. `monlab app serve`)."),
) -> None:
    """Send bounded concurrent load to the lab app and show latency percentiles and status counts."""
    from rich.console import Console

    from monlab.errors import ConfigError, ServiceError
    from monlab.interrupts import Leftovers
    from monlab.load import LoadInterrupted, LoadPlan, parse_form, require_loopback
    from monlab.load_view import run_with_progress, summary_headline, summary_table

    if not path.startswith("/"):
        raise typer.BadParameter("must start with '/', e.g. /simulate-load", param_hint="PATH")
    method = (method or ("POST" if data else "GET")).upper()
    if method not in ("GET", "POST"):
        raise typer.BadParameter("must be GET or POST", param_hint="--method")
    try:
        form = parse_form(data or [])
    except ConfigError as error:
        raise typer.BadParameter(error.one_line(), param_hint="--data") from None
    base_url, up, status = (require_loopback(url), "monlab up", "monlab status") if url else _stack_app(project)
    plan = LoadPlan(path=path, count=count, concurrency=concurrency, method=method, data=form)
    console = Console()
    console.print(f"Load on {base_url}: {plan.describe()}")
    leftovers = Leftovers()
    with leftovers.said_on_interrupt():
        try:
            result = run_with_progress(console, base_url, plan)
        except LoadInterrupted as stopped:
            leftovers.pending("load", f"The load ended early: {stopped.reached.sent} of {plan.count} planned requests sent")
            raise
    console.print(summary_table(result))
    console.print(summary_headline(result))
    if result.answered == 0:
        raise ServiceError(f"The lab app at {base_url} did not answer any request",
                           f"Run `{status}`; start the stack with `{up}`.")


def _stack_app(project: str) -> tuple[str, str, str]:
    """The app's URL, and the stack's own `monlab up …` and `monlab status …` for hints."""
    from monlab.errors import ServiceUnhealthy
    from monlab.stack.control import open_stack

    info = open_stack(project).info()
    app = info.services.get("app")
    if app is None or not app.running or not app.url:
        raise ServiceUnhealthy(f"The lab app of project {project!r} is not running",
                               f"Start the stack with `{info.up_command}`.")
    return app.url, info.up_command, info.status_command
