"""`monlab export compose|kubernetes DIR`: the stack `up` runs, for Docker Compose or a Kubernetes class."""

from pathlib import Path
from typing import Optional

import typer

from monlab.commands.validate import bind_option, port_offset_option, project_option

FORCE = typer.Option(False, "--force", help="Replace files of a previous export even where they were edited since.")

export = typer.Typer(help="Write the stack as a Docker Compose project, or as Kubernetes manifests for a class.", no_args_is_help=True)


def register(cli: typer.Typer) -> None:
    cli.add_typer(export, name="export")


@export.command("compose")
def compose(
    out: Path = typer.Argument(..., metavar="DIR", help="Directory to write: new, empty, or a previous export."),
    offline: bool = typer.Option(False, "--offline", help="Use the bootstrapped Debian images (no Grafana), as `up --offline`."),
    project: str = project_option("Project name: containers, network and volumes are named after it."),
    port_offset: int = port_offset_option(),
    bind: str = bind_option(),
    force: bool = FORCE,
) -> None:
    """DIR/compose.yaml plus the config files and the app's build context: the same stack as `monlab up`."""
    from monlab.export.run import export_compose

    stack = _project(project, bind, port_offset)
    written = export_compose(out, stack, offline, force)
    typer.echo(f"Wrote {len(written)} files to {out}.")
    typer.echo(f"Start: docker-compose -f {out / 'compose.yaml'} up -d --build   (or `docker compose`)")
    typer.echo(f"Then:  monlab status --project {stack.name}; remove with `monlab teardown --project {stack.name}`.")
    if not offline:
        typer.echo(f"The Grafana admin password is in {out / '.env'} (mode 0600), not in compose.yaml.")


@export.command("kubernetes")
def kubernetes(
    out: Path = typer.Argument(..., metavar="DIR", help="Directory to write: new, empty, or a previous export."),
    students: int = typer.Option(1, "--students", "-n", min=1, max=500, help="How many namespaces, one per student."),
    prefix: str = typer.Option("monlab-student-", "--namespace-prefix", help="Namespaces are PREFIX1 ... PREFIXN."),
    app_image: Optional[str] = typer.Option(None, "--app-image", help="The lab app image in the registry your cluster pulls from."),
    force: bool = FORCE,
) -> None:
    """One namespace per student (Deployments, Services, ConfigMaps, PVCs, a Secret, a NetworkPolicy) for `kubectl apply -k DIR`."""
    from monlab.export.kubernetes import valid_namespace
    from monlab.export.run import export_kubernetes

    if not valid_namespace(f"{prefix}{students}"):
        raise typer.BadParameter(
            f"{prefix}{students} is not a usable namespace: lowercase letters, digits and '-', at most 63 characters",
            param_hint="--namespace-prefix")
    if app_image is not None and (not app_image.strip() or any(c.isspace() for c in app_image)):
        raise typer.BadParameter(f"{app_image!r} is not an image reference", param_hint="--app-image")
    written = export_kubernetes(out, students, prefix, app_image, force)
    typer.echo(f"Wrote {len(written)} files to {out} for {students} namespace(s): {prefix}1 ... {prefix}{students}.")
    if app_image is None:
        typer.echo("The app image is the local build's name; push it to your registry and pass --app-image REF.")
    typer.echo(f"Apply: kubectl apply -k {out}   (the Grafana passwords are in each namespace's secret.yaml, mode 0600)")


def _project(name: str, bind: str, port_offset: int):
    import ipaddress

    from monlab.errors import ConfigError
    from monlab.project import Project

    try:
        ipaddress.ip_address(bind)
    except ValueError:
        raise typer.BadParameter(f"{bind!r} is not an IP address", param_hint="--bind") from None
    try:
        return Project(name, bind, port_offset)
    except ConfigError as error:
        raise typer.BadParameter(error.one_line(), param_hint="--project/--port-offset") from None
