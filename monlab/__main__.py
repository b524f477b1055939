"""`monlab` and `python -m monlab`: the CLI, with a Ctrl-C while Python still loads it ending in exit
130 like any other, never a traceback (on a busy machine loading takes a second or more)."""


def run() -> None:
    try:
        from monlab.cli import main
    except KeyboardInterrupt:
        import sys

        print("Interrupted.", file=sys.stderr)
        raise SystemExit(130) from None
    main()


if __name__ == "__main__":
    run()
