"""Reading articles from the command line's PATH arguments."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from datetime import UTC, datetime

from streams.sources.files import Item, read_paths
from streams.terminal import one_line

#: A report line at most: a path and the longest detail (streams.codec.MAX_DETAIL_CHARS).
REPORT_CHARS = 1000


def utcnow() -> datetime:
    return datetime.now(UTC)


def items(paths: list[str]) -> Iterator[Item]:
    """Every article in the paths ("-" is stdin); an unreadable path ends the command."""
    try:
        yield from read_paths(paths, sys.stdin.buffer)
    except OSError as error:
        raise SystemExit(f"newsradar: cannot read input: {error}") from None


def report(message: str) -> None:
    """One line on stderr about an input, ending in a newline whatever it holds: a newline
    or an escape sequence in a file name or a detail must not split it or steer the terminal."""
    print(one_line(message, REPORT_CHARS), file=sys.stderr)
