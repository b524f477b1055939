"""Text from outside (a lab file, Prometheus, the app) made safe for the terminal: control
characters (escape sequences included) removed, rich markup escaped."""

from __future__ import annotations

import unicodedata

from rich.markup import escape


BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")  # reorder what is shown


def printable(text: str) -> str:
    """`text` without control characters: a label value or title cannot move the cursor, recolour,
    retitle the terminal or reorder what is shown. Newlines stay; a tab becomes a space."""
    return "".join(" " if c == "\t" else c for c in str(text)
                   if c in "\t\n" or (unicodedata.category(c) != "Cc" and c not in BIDI_CONTROLS))


def terminal_markup(text: str) -> str:
    """`text` for rich's console.print with markup on: printable, and `[...]` shown as written."""
    return escape(printable(text))
