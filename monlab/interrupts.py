"""Ctrl-C anywhere: what an interrupted command leaves behind is said on exit, and restoring a
disrupted stack is not itself cut short by a second Ctrl-C.

Each command that changes things makes one `Leftovers` and hands it to the work it calls. Work that
leaves the stack changed while it runs says so (`pending`) and takes the note back once the stack is
whole again (`done`); `said_on_interrupt` turns a Ctrl-C into exit 130 with the notes still held.
"""

from __future__ import annotations

import signal
import threading
from contextlib import contextmanager
from typing import Iterator


class Interrupted(SystemExit):
    """Exit 130 after a Ctrl-C, carrying what the command left behind (the CLI prints it)."""

    def __init__(self, notes: list[str]) -> None:
        super().__init__(130)
        self.notes = notes


class Leftovers:
    """What the running command would leave behind if a Ctrl-C ended it now."""

    def __init__(self) -> None:
        self._notes: dict[str, str] = {}

    def pending(self, key: str, note: str) -> None:
        self._notes[key] = note

    def done(self, key: str) -> None:
        self._notes.pop(key, None)

    def notes(self) -> list[str]:
        return list(self._notes.values())

    @contextmanager
    def while_changing(self, key: str, note: str) -> Iterator[None]:
        """`note` holds while the block runs; an exception (an interrupt) leaves it pending."""
        self.pending(key, note)
        yield
        self.done(key)

    @contextmanager
    def said_on_interrupt(self) -> Iterator[None]:
        """A Ctrl-C in the block ends the command: exit 130, saying the notes still held."""
        try:
            yield
        except KeyboardInterrupt:
            notes = self.notes()
            if threading.current_thread() is threading.main_thread():  # a second Ctrl-C keeps the notes
                signal.signal(signal.SIGINT, lambda signum, frame: _raise(Interrupted(notes)))
            raise Interrupted(notes) from None


def _raise(error: BaseException) -> None:
    raise error


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
    KeyboardInterrupt, an enclosing `deferred` holds it in turn, and once a command has finished
    (the CLI then ignores SIGINT) it is dropped."""
    if callable(handler):
        handler(signal.SIGINT, None)
    elif handler != signal.SIG_IGN:
        raise KeyboardInterrupt


def exit_line(notes: list[str]) -> str:
    return "Interrupted." + (" " + " ".join(n.rstrip(".") + "." for n in notes) if notes else "")
