"""Someone else's text on our terminal: shown, never obeyed. Pure.

An article's title or URL, a dead letter's original bytes, a file name: any of them may
carry control characters, and an escape sequence among them recolours or clears the screen,
changes the window title or hides what follows. Every command that prints such text
(`alerts`, `deadletters`, `replay`, the reports of `process` and `publish`) filters it here.
"""

from __future__ import annotations

#: Control characters (but the newline) shown as U+FFFD: one character for one, so the
#: offsets of the styles in a rich Text stay right when its plain text is filtered.
_CONTROLS = {c: "\ufffd" for c in [*range(0x20), *range(0x7F, 0xA0)] if c != ord("\n")}


def printable(text: str) -> str:
    """`text` with every control character but the newline shown as U+FFFD."""
    return text.translate(_CONTROLS)


def one_line(text: str, limit: int) -> str:
    """`text` as one printable line: whitespace runs (newlines too) as one space, control
    characters as U+FFFD, cut at `limit` characters."""
    flat = printable(" ".join(text.split()))
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
