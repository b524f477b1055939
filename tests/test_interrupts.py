"""Ctrl-C held back by `interrupts.deferred`, with real SIGINTs sent to this process."""

from __future__ import annotations

import os
import signal

import pytest

from monlab import interrupts


def ctrl_c() -> None:
    os.kill(os.getpid(), signal.SIGINT)


def test_a_ctrl_c_in_the_block_is_raised_once_the_block_is_done():
    finished = []
    with pytest.raises(KeyboardInterrupt):
        with interrupts.deferred():
            ctrl_c()
            ctrl_c()
            finished.append("block")
    assert finished == ["block"]


def test_a_nested_block_hands_its_ctrl_c_to_the_enclosing_one():
    """An engine call (inner) inside a lab's undo (outer): the undo still runs to its end."""
    finished = []
    with pytest.raises(KeyboardInterrupt):
        with interrupts.deferred():
            with interrupts.deferred():
                ctrl_c()
            finished.append("after the inner block")
    assert finished == ["after the inner block"]


def test_a_block_that_saw_no_ctrl_c_raises_nothing_and_puts_the_handler_back():
    before = signal.getsignal(signal.SIGINT)
    with interrupts.deferred():
        pass
    assert signal.getsignal(signal.SIGINT) is before


def test_a_ctrl_c_ends_the_command_with_the_notes_still_held():
    leftovers = interrupts.Leftovers()
    with pytest.raises(interrupts.Interrupted) as ended:
        with leftovers.said_on_interrupt():
            leftovers.pending("a", "A was left half-done")
            leftovers.pending("b", "B was left half-done")
            leftovers.done("b")
            ctrl_c()
    assert ended.value.code == 130
    assert ended.value.notes == ["A was left half-done"]
    assert interrupts.exit_line(ended.value.notes) == "Interrupted. A was left half-done."


def test_a_second_ctrl_c_while_the_command_ends_keeps_its_notes():
    leftovers = interrupts.Leftovers()
    previous = signal.getsignal(signal.SIGINT)
    try:
        with pytest.raises(interrupts.Interrupted) as ended:
            try:
                with leftovers.said_on_interrupt():
                    leftovers.pending("a", "A was left half-done")
                    ctrl_c()
            finally:  # clean-up on the way out, itself cut short
                ctrl_c()
        assert ended.value.notes == ["A was left half-done"]
    finally:
        signal.signal(signal.SIGINT, previous)


def test_work_that_finished_leaves_no_note():
    leftovers = interrupts.Leftovers()
    with leftovers.while_changing("up", "the stack may be incomplete"):
        pass
    assert leftovers.notes() == []
