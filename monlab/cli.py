"""The `monlab` command line: thin Typer commands over domain code.

Command modules import only typer at load time and their domain code inside each command, so
`monlab --help` stays fast. Any MonlabError becomes exit 3 and one line here, and only here.
"""

from __future__ import annotations

import contextlib
import sys
from typing import NoReturn

import typer

from monlab.commands import app_cmd, dashboard_cmd, doctor_cmd, export_cmd, images_cmd, lab_cmd, load_cmd, render_cmd, stack_cmd
from monlab.errors import MonlabError

cli = typer.Typer(
    name="monlab",
    help="The DevOps monitoring lecture as a lab that runs itself: `monlab up`, `monlab lab <section>`, `monlab teardown`.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)



def _show_version(value: bool) -> None:
    if value:
        from monlab import __version__

        print(f"monlab {__version__}")
        raise typer.Exit()


@cli.callback()
def _root(
    version: bool = typer.Option(False, "--version", callback=_show_version, is_eager=True, help="Show the version and exit."),
) -> None:
    """The DevOps monitoring lecture as a lab that runs itself."""


for module in (stack_cmd, doctor_cmd, render_cmd, lab_cmd, load_cmd, app_cmd, images_cmd, export_cmd, dashboard_cmd):
    module.register(cli)


def error_line(error: MonlabError) -> str:
    """The one line a user sees; it points at `monlab doctor` only where doctor would add something."""
    line = error.one_line()
    return f"{line} Run `monlab doctor` for details." if error.doctor_helps else line


def main() -> None:
    try:
        cli()
    except SystemExit as leaving:
        if leaving.code == 130:  # a command's Interrupted, or Typer's exit 130 after a Ctrl-C elsewhere
            _leave_interrupted(getattr(leaving, "notes", []))
        _finish(leaving.code)
    except MonlabError as error:
        print(f"Error: {error_line(error)}", file=sys.stderr)
        _finish(error.exit_code)
    except KeyboardInterrupt:
        _leave_interrupted([])


def _finish(code: int | str | None) -> NoReturn:
    """The command is done, so a Ctrl-C from now on cannot change what it did: the process leaves
    with the command's own exit code. Left to Python, a Ctrl-C during interpreter shutdown ends the
    process by the signal itself (status -2) after the command had succeeded. Ignored, not handled:
    Python's shutdown puts back the default for a signal it handles, but leaves an ignored one alone."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    sys.exit(code)


def _leave_interrupted(notes: list[str]) -> NoReturn:
    """Say what an interrupted command left, and exit 130 at once. The command's clean-up has run by
    now; Python's own shutdown can take half a second after it stops handling signals, and a second
    Ctrl-C then would end the process by the signal itself (status -2, not 130)."""
    import os
    import signal

    from monlab.interrupts import exit_line

    signal.signal(signal.SIGINT, lambda signum, frame: os._exit(130))
    with contextlib.suppress(OSError):  # a closed pipe on either stream must not turn this into a traceback
        print(exit_line(notes), file=sys.stderr, flush=True)
        sys.stdout.flush()
    os._exit(130)
