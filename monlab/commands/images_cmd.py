from pathlib import Path

import typer

images = typer.Typer(help="Offline images: build them from Debian packages, carry them as one tar.", no_args_is_help=True)


@images.command("bootstrap")
def bootstrap(force: bool = typer.Option(False, "--force", help="Rebuild images whose tag already exists.")) -> None:
    """Build monlab/app-base:bookworm and monlab/prometheus:bookworm with mmdebstrap (for `up --offline`)."""
    from monlab.images.build import bootstrap as build_offline_images

    def work(runtime, console, status, leftovers):
        def say(line: str) -> None:
            console.print(f"  {line}", style="dim", highlight=False)
            status.update(line)

        return build_offline_images(runtime, force, say, leftovers)

    built, console = _with_engine("Bootstrapping offline images", work)
    console.print(f"Offline images ready ({len(built)} built). Next: `monlab up --offline`.")


@images.command("save")
def save(
    file: Path = typer.Argument(..., help="The tar file to write."),
    force: bool = typer.Option(False, "--force", help="Replace FILE even when it is not an archive `images save` wrote."),
) -> None:
    """Write the stack's local images (offline and pulled) to FILE."""
    from monlab.images import archive

    archive.refuse_replacing(file, force)  # judged before Docker is even contacted
    refs, console = _with_engine(f"Saving images to {file}", lambda runtime, *_: archive.save(runtime, file, force))
    console.print(f"Saved {', '.join(refs)} to {file}.")


@images.command("load")
def load(file: Path = typer.Argument(..., help="A tar written by `monlab images save`.")) -> None:
    """Load images from FILE into the Docker engine."""
    from monlab.images import archive

    archive.check_load_file(file)  # the file is judged before Docker is even contacted
    tags, console = _with_engine(f"Loading images from {file}", lambda runtime, _, __, leftovers: archive.load(runtime, file, leftovers))
    console.print(f"Loaded {', '.join(tags) or 'no tagged images'}.")


@images.command("list")
def list_images(
    image: list[str] = typer.Option([], "--image", metavar="KEY=REF", help="Show with this override, as `up --image` would use it."),
    json_out: bool = typer.Option(False, "--json", help="Print JSON on stdout instead of a table."),
) -> None:
    """Per image: the online and offline reference (after overrides) and whether each is here."""
    from monlab.commands.stack_cmd import image_refs
    from monlab.docker_runtime import connect
    from monlab.images.table import image_table

    rows = image_table(connect(), image_refs(image))
    if json_out:
        import json

        print(json.dumps({"images": rows}, indent=2))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table("image", "online reference", "here", "offline reference", "here", box=None)
    for row in rows:
        online, offline = row["online"], row["offline"]
        table.add_row(
            row["key"],
            online["ref"] + (f"  (override: {online['overridden_by']})" if online["overridden_by"] else "")
            + (f"  [stand-in: {online['standin']}]" if online["standin"] else ""),
            _here(online["present"]),
            offline["ref"] if offline else "– (no Debian package)",
            _here(offline["present"]) if offline else "",
        )
    Console().print(table)


def _here(present: bool) -> str:
    return "yes" if present else "no"


def _with_engine(doing: str, work):
    """Run work(runtime, console, status, leftovers) under a spinner; returns its result and the console."""
    from rich.console import Console

    from monlab.docker_runtime import connect
    from monlab.interrupts import Leftovers

    console = Console(stderr=True)
    leftovers = Leftovers()
    with leftovers.said_on_interrupt(), console.status(doing) as status:
        return work(connect(), console, status, leftovers), console


def register(cli: typer.Typer) -> None:
    cli.add_typer(images, name="images")
