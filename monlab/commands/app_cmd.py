import typer


def register(cli: typer.Typer) -> None:
    """Filled in by the issue that owns these commands."""
