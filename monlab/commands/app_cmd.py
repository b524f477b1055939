"""`monlab app serve` and `monlab app eject`."""

from __future__ import annotations

from pathlib import Path

import typer

app_cli = typer.Typer(help="The lecture's Flask app on its own: serve it locally or copy its source out.", no_args_is_help=True)


@app_cli.command()
def serve(
    host: str = typer.Option("127.0.0.1", help="Address to listen on (0.0.0.0 for all)."),
    port: int = typer.Option(5000, min=1, max=65535, help="Port to listen on."),
    workers: int = typer.Option(2, min=1, max=64, help="gunicorn worker processes; metrics stay exact for any number."),
    metrics_port: int = typer.Option(
        None, "--metrics-port", min=1, max=65535,
        help="Also serve /metrics and /healthz on this port from gunicorn's master, never queued behind busy workers."),
) -> None:
    """Run the lab app with gunicorn (never Flask's debug server) until Ctrl-C."""
    from monlab.serve import ServeOptions, serve as run

    run(ServeOptions(host=host, port=port, workers=workers, metrics_port=metrics_port))


@app_cli.command()
def eject(directory: Path = typer.Argument(..., help="New or empty directory to copy the app into.")) -> None:
    """Copy the app's source (with its Dockerfile) into DIRECTORY to change it or run it anywhere."""
    from monlab.app_source import copy_app_source

    files = copy_app_source(directory)
    print(f"Copied {len(files)} files of the lab app to {directory}.")
    print(f"Run it: cd {directory} && PROMETHEUS_MULTIPROC_DIR=$(mktemp -d) gunicorn -c gunicorn.conf.py app:app")
    print(f"Or build it: docker build -t my-lab-app {directory}")


def register(cli: typer.Typer) -> None:
    cli.add_typer(app_cli, name="app")
