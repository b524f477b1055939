"""`monlab render --out DIR`: every generated file on disk, without Docker."""

from pathlib import Path

import typer

from monlab.commands.validate import bind_option, port_offset_option, project_option


def register(cli: typer.Typer) -> None:
    cli.command("render")(render)


def render(
    out: Path = typer.Option(..., "--out", help="Directory to write into: new, empty, or a previous render."),
    project: str = project_option("Project name written into the files."),
    bind: str = bind_option("As for `monlab up`: where the stack's ports are published."),
    port_offset: int = port_offset_option("As for `monlab up`: added to ports 5000/9090/3000."),
    force: bool = typer.Option(False, "--force", help="Replace files of a previous render even where they were edited since."),
) -> None:
    """Write prometheus.yml, rule files, Grafana provisioning and the dashboard JSON without touching Docker."""
    from monlab.project import Project
    from monlab.render import RenderContext, render_stack, write_rendered

    stack = Project(name=project, bind=bind, port_offset=port_offset)
    ctx = RenderContext(project=stack.name, grafana_url=stack.host_url("grafana"))
    written = write_rendered(render_stack(ctx), out, force)
    for path in written:
        typer.echo(f"wrote {path}")
    typer.echo(f"{len(written)} files in {out}; check with: promtool check config {out / 'prometheus' / 'prometheus.yml'}")
