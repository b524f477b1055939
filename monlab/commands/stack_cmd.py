from pathlib import Path
from typing import Optional

import typer

from monlab.commands.validate import bind_option, port_offset_option, project_option

PROJECT = project_option()
JSON = typer.Option(False, "--json", help="Print JSON on stdout instead of tables.")
IMAGE = typer.Option(
    [], "--image", metavar="KEY=REF",
    help="Use another image for app-base, prometheus or grafana (a classroom mirror, a newer tag); "
         "also MONLAB_IMAGE_<KEY>=REF. Repeatable.",
)


def image_refs(options: list[str]):
    """The image references after overrides; a bad override is a usage error (exit 2)."""
    from monlab.image_refs import BadImageOverride, resolve

    try:
        return resolve(options)
    except BadImageOverride as error:
        raise typer.BadParameter(str(error), param_hint="--image / MONLAB_IMAGE_<KEY>") from None


def up(
    offline: bool = typer.Option(False, "--offline", help="Use only the images from `monlab images bootstrap`; never pull. No Grafana."),
    online: bool = typer.Option(False, "--online", help="Pull the online images even where no registry seems reachable (no fallback to offline)."),
    project: str = PROJECT,
    bind: Optional[str] = bind_option("Host address the ports are published on (IPv4 or IPv6); default: the "
                                      "stack's own, or 127.0.0.1 for a new stack.", default=None),
    port_offset: Optional[int] = port_offset_option("Added to the host ports 5000/9090/3000; default: the stack's "
                                                    "own, or 0 for a new stack.", default=None),
    app: Optional[Path] = typer.Option(None, "--app", help="Build the app from this directory instead of the lecture's app."),
    image: list[str] = IMAGE,
    json_out: bool = JSON,
) -> None:
    """Build the app, render config, start app, Prometheus and Grafana; return once ready."""
    from monlab.docker_runtime import connect
    from monlab.images.build import bootstrap
    from monlab.interrupts import Leftovers
    from monlab.project import Project
    from monlab.stack import console
    from monlab.stack.status import StatusReport, as_json
    from monlab.stack.lock import command_lock
    from monlab.stack.observed import project_for_up
    from monlab.stack.up import UpRequest, bring_up, choose_stack_mode

    if offline and online:
        raise typer.BadParameter("choose one of --offline and --online", param_hint="--offline / --online")
    refs = image_refs(image)
    runtime = connect()
    stack = project_for_up(runtime.containers(Project(project).label_filter), project, bind, port_offset)
    reporter = console.RichReporter()
    leftovers = Leftovers()
    try:
        with leftovers.said_on_interrupt(), command_lock(project, "up"):
            mode = choose_stack_mode(runtime, stack, refs, "offline" if offline else "online" if online else None)
            if mode.fell_back:
                console.console.print(f"[bold yellow]![/bold yellow] {mode.reason}.")
                bootstrap(runtime, False, reporter.step, leftovers)  # the offline images, where missing (~30 s once)
            result = bring_up(runtime, UpRequest(stack, offline=mode.offline, app_dir=app, images=refs), reporter,
                              leftovers=leftovers)
    finally:
        reporter.close()
    info = _said_exposure(stack, result.info)
    if json_out:
        report = {k: v for k, v in as_json(StatusReport(info)).items() if not k.startswith("targets")}
        _print_json({**report, "actions": [f"{a.kind} {a.service}" for a in result.actions],
                     "mode": {"offline": mode.offline, "fell_back": mode.fell_back, "reason": mode.reason}})
    else:
        console.show_up(info, result.actions)


def _said_exposure(stack, info):
    """Off loopback: a warning on stderr of what is open, and URLs that work from other machines."""
    from monlab.stack.exposure import exposed, exposure_warning, for_other_machines, public_host

    if not exposed(stack.bind):
        return info
    info = for_other_machines(info, stack.bind, public_host(stack.bind))
    typer.echo(f"Warning: {exposure_warning(stack.bind, info)}", err=True)
    return info


def status(project: str = PROJECT, json_out: bool = JSON) -> None:
    """Each service's state, health and URL; each Prometheus target's health and last error."""
    from monlab.docker_runtime import connect
    from monlab.stack import console
    from monlab.stack.status import as_json, stack_status

    import dataclasses

    from monlab.stack.observed import project_settings

    runtime = connect()
    report = stack_status(runtime, project)
    made_as, _ = project_settings(runtime.containers(f"monlab.project={project}"), project)
    report = dataclasses.replace(report, info=_said_exposure(made_as, report.info))
    if json_out:
        _print_json(as_json(report))
    else:
        console.show_status(report)


def down(project: str = PROJECT) -> None:
    """Stop the stack; containers, config and data stay for the next `up`."""
    from monlab.docker_runtime import connect
    from monlab.project import Project
    from monlab.stack.console import console
    from monlab.stack.lock import command_lock
    from monlab.stack.teardown import down as stop_stack

    with command_lock(project, "down"):
        stopped = stop_stack(connect(), Project(project))
    console.print(f"Stopped {', '.join(stopped)}." if stopped else f"Nothing of {project!r} was running.")


def teardown(
    project: str = PROJECT,
    keep_data: bool = typer.Option(False, "--keep-data", help="Keep the Prometheus and Grafana data volumes."),
) -> None:
    """Remove the project's containers, network, app image and (unless --keep-data) volumes; nothing else."""
    from monlab.docker_runtime import connect
    from monlab.project import Project
    from monlab.stack.console import console
    from monlab.stack.lock import command_lock
    from monlab.stack.teardown import teardown as remove_stack

    with command_lock(project, "teardown"):
        removed = remove_stack(connect(), Project(project), keep_data)
    if not removed.count:
        console.print(f"Nothing labelled monlab.project={project} to remove.")
        return
    console.print(
        f"Removed {len(removed.containers)} container(s), {len(removed.networks)} network(s), "
        f"{len(removed.images)} image(s), {len(removed.volumes)} volume(s) of {project!r}"
        + (" (data volumes kept)." if keep_data else ".")
    )


def _print_json(data: dict) -> None:
    import json

    print(json.dumps(data, indent=2))


def register(cli: typer.Typer) -> None:
    for command in (up, status, down, teardown):
        cli.command()(command)
