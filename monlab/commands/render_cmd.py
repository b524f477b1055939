"""`monlab render --out DIR`: every generated file on disk, without Docker."""

from pathlib import Path

import typer


def register(cli: typer.Typer) -> None:
    cli.command("render")(render)


def render(
    out: Path = typer.Option(..., "--out", help="Directory to write into: new, empty, or a previous render."),
    project: str = typer.Option("monlab", "--project", help="Project name written into the files."),
) -> None:
    """Write prometheus.yml, rule files, Grafana provisioning and the dashboard JSON without touching Docker."""
    from monlab.project import Project
    from monlab.render import RenderContext, render_stack, write_rendered

    ctx = RenderContext(project=Project(name=project).name)
    written = write_rendered(render_stack(ctx), out)
    for path in written:
        typer.echo(f"wrote {path}")
    typer.echo(f"{len(written)} files in {out}; check with: promtool check config {out / 'prometheus' / 'prometheus.yml'}")
