"""Text from outside (Prometheus label values and errors, the app, lab files) made safe to show.

`printable` is for terminals and plain text: every control character becomes a visible stand-in
(ESC shows as ␛), so a label value can neither move the cursor nor recolour the screen, and a string
that cannot be encoded (a lone surrogate from JSON) cannot end a write with an exception. Its result
holds only characters XML 1.0 allows, so `xml_text` (for SVG and HTML) only has to escape `<&>"'`.
Rich markup is a separate matter: pass outside text to rich as `Text`, never as a markup string.
"""

from __future__ import annotations

from html import escape

from rich.markup import escape as rich_escape

_C0_PICTURES = 0x2400  # "␀" … "␟": Unicode's Control Pictures for the C0 codes
_REPLACEMENT = "\ufffd"
_BIDI_CONTROLS = set(range(0x202A, 0x202F)) | set(range(0x2066, 0x206A))  # reorder what follows them


def _stand_in(code: int) -> str | None:
    """What a character is shown as, or None to keep it."""
    if code == 0x09:
        return " "
    if code < 0x20:
        return chr(_C0_PICTURES + code)
    if code == 0x7F:
        return "\u2421"  # ␡
    if 0x80 <= code <= 0x9F or code in _BIDI_CONTROLS or 0xD800 <= code <= 0xDFFF or code in (0xFFFE, 0xFFFF):
        return _REPLACEMENT
    return None


def printable(text: object) -> str:
    """`text` with every control character (C0, DEL, C1, bidi overrides), lone surrogate and
    non-character replaced by a visible stand-in; a tab becomes a space."""
    shown = str(text)
    if shown.isprintable() and shown.isascii():  # the common case, at no cost
        return shown
    out = []
    for char in shown:
        stand_in = _stand_in(ord(char))
        out.append(char if stand_in is None else stand_in)
    return "".join(out)


def xml_text(text: object) -> str:
    """`text` for an XML or HTML text node or attribute value."""
    return escape(printable(text), quote=True)


def terminal_markup(text: object) -> str:
    """`text` for rich's console.print with markup on (lab narration, where a lab file's line breaks
    stay): each line printable, and `[...]` shown as written."""
    return "\n".join(rich_escape(printable(line)) for line in str(text).split("\n"))
