"""python -m tests.standins build [--force] | remove"""

from __future__ import annotations

import argparse
import sys

from monlab.docker_runtime import connect
from monlab.errors import MonlabError

from . import build, remove


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.standins",
                                     description="Build or remove the local stand-ins for monlab's online images.")
    parser.add_argument("action", choices=("build", "remove"))
    parser.add_argument("--force", action="store_true", help="rebuild stand-ins that exist")
    args = parser.parse_args(argv)
    try:
        runtime = connect()
        if args.action == "build":
            build(runtime, force=args.force)
        else:
            remove(runtime)
    except MonlabError as exc:
        print(f"error: {exc.message}" + (f" {exc.hint}" if exc.hint else ""), file=sys.stderr)
        return 3
    return 0


if __name__ == "__main__":
    sys.exit(main())
