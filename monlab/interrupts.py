"""Ctrl-C anywhere: what an interrupted command leaves behind is said on exit, and restoring a
disrupted stack is not itself cut short by a second Ctrl-C.

Work that leaves the stack changed while it runs registers a note (`pending`) and clears it once the
stack is whole again (`done`); the CLI prints the notes still pending when it exits with 130.
"""

from __future__ import annotations

import signal
import threading
from contextlib import contextmanager
from typing import Iterator

_pending: dict[str, str] = {}


def pending(key: str, note: str) -> None:
    _pending[key] = note


def done(key: str) -> None:
    _pending.pop(key, None)


def left_behind() -> list[str]:
    return list(_pending.values())


@contextmanager
def while_changing(key: str, note: str) -> Iterator[None]:
    """`note` holds while the block runs; an exception (an interrupt) leaves it pending."""
    pending(key, note)
    yield
    done(key)


@contextmanager
def deferred() -> Iterator[None]:
    """Ctrl-C during the block is held back and raised once the block is done (main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda signum, frame: caught.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if caught:
        _hand_on(previous)


def _hand_on(handler) -> None:
    """The held-back Ctrl-C goes to the handler the block replaced: Python's own raises
    KeyboardInterrupt, an enclosing `deferred` holds it in turn, the CLI's late handler exits."""
    if callable(handler):
        handler(signal.SIGINT, None)
    elif handler != signal.SIG_IGN:
        raise KeyboardInterrupt


def exit_line() -> str:
    notes = left_behind()
    return "Interrupted." + (" " + " ".join(n.rstrip(".") + "." for n in notes) if notes else "")
