"""Reading articles from the command line's PATH arguments."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from datetime import UTC, datetime

from streams.sources.files import Item, read_paths


def utcnow() -> datetime:
    return datetime.now(UTC)


def items(paths: list[str]) -> Iterator[Item]:
    """Every article in the paths ("-" is stdin); an unreadable path ends the command."""
    try:
        yield from read_paths(paths, sys.stdin.buffer)
    except OSError as error:
        raise SystemExit(f"newsradar: cannot read input: {error}") from None
