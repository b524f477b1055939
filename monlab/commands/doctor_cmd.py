"""`monlab doctor`: every precondition of `monlab up`, each with a verdict and the exact fix."""

from typing import Optional

import typer

from monlab.commands.stack_cmd import IMAGE, JSON, PROJECT, image_refs
from monlab.commands.validate import bind_option, port_offset_option


def doctor(
    project: str = PROJECT,
    bind: Optional[str] = bind_option("As for `monlab up`: where the ports would be published (default: the stack's own).", default=None),
    port_offset: Optional[int] = port_offset_option("As for `monlab up`: added to ports 5000/9090/3000 (default: the stack's own).", default=None),
    image: list[str] = IMAGE,
    json_out: bool = JSON,
) -> None:
    """Check what `monlab up` needs; exit 0 when it can succeed (online or offline), 3 when not."""
    from monlab.doctor.run import diagnose, up_can_succeed

    verdicts = diagnose(project, bind, port_offset, image_refs(image))
    can_up = up_can_succeed(verdicts)
    if json_out:
        import json

        checks = [{"check": name, "status": v.status, "detail": v.detail, "fix": v.fix} for name, v in verdicts.items()]
        print(json.dumps({"up_can_succeed": can_up, "checks": checks}, indent=2))
    else:
        _show(verdicts, can_up)
    if not can_up:
        raise typer.Exit(3)


def _show(verdicts, can_up: bool) -> None:
    from rich.console import Console

    console = Console(highlight=False)
    marks = {"ok": "[green]ok  [/green]", "warn": "[yellow]warn[/yellow]", "fail": "[red]fail[/red]"}
    for name, verdict in verdicts.items():
        console.print(f"{marks[verdict.status]} {name}: {verdict.detail}", soft_wrap=True)
        if verdict.fix:
            console.print(f"       fix: {verdict.fix}", style="dim", soft_wrap=True)
    console.print("`monlab up` can succeed here." if can_up else "[red]`monlab up` cannot succeed until the failures above are fixed.[/red]")


def register(cli: typer.Typer) -> None:
    cli.command()(doctor)
