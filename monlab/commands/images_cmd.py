from pathlib import Path

import typer

images = typer.Typer(help="Offline images: build them from Debian packages, carry them as one tar.", no_args_is_help=True)


@images.command("bootstrap")
def bootstrap(force: bool = typer.Option(False, "--force", help="Rebuild images whose tag already exists.")) -> None:
    """Build monlab/app-base:bookworm and monlab/prometheus:bookworm with mmdebstrap (for `up --offline`)."""
    from rich.console import Console

    from monlab import images as offline
    from monlab.docker_runtime import connect

    console = Console(stderr=True)
    with console.status("Bootstrapping offline images") as status:
        built = offline.bootstrap(connect(), force, say=lambda line: _say(console, status, line))
    console.print(f"Offline images ready ({len(built)} built). Next: `monlab up --offline`.")


@images.command("save")
def save(file: Path = typer.Argument(..., help="The tar file to write.")) -> None:
    """Write the stack's local images (offline and pulled) to FILE."""
    from rich.console import Console

    from monlab import images as offline
    from monlab.docker_runtime import connect

    console = Console(stderr=True)
    with console.status(f"Saving images to {file}"):
        refs = offline.save(connect(), file)
    console.print(f"Saved {', '.join(refs)} to {file}.")


@images.command("load")
def load(file: Path = typer.Argument(..., help="A tar written by `monlab images save`.")) -> None:
    """Load images from FILE into the Docker engine."""
    from rich.console import Console

    from monlab import images as offline
    from monlab.docker_runtime import connect

    console = Console(stderr=True)
    with console.status(f"Loading images from {file}"):
        tags = offline.load(connect(), file)
    console.print(f"Loaded {', '.join(tags) or 'no tagged images'}.")


def _say(console, status, line: str) -> None:
    console.print(f"  {line}", style="dim", highlight=False)
    status.update(line)


def register(cli: typer.Typer) -> None:
    cli.add_typer(images, name="images")
