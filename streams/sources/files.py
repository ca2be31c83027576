"""Articles from files or standard input: JSON lines, plain text, or an HTML page."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from schemas import RawArticle
from streams.codec import decode
from streams.rejection import Rejected

_JSON_SUFFIXES = {".jsonl", ".ndjson", ".json"}
_HTML_SUFFIXES = {".html", ".htm", ".xhtml"}


@dataclass(frozen=True, slots=True)
class Item:
    """One input article, or why it could not be read, and where it came from."""

    where: str
    article: RawArticle | Rejected


def read_paths(paths: list[str], stdin: BinaryIO) -> Iterator[Item]:
    """Every article in the given files ("-" is standard input), in order."""
    for path in paths:
        if path == "-":
            yield from parse_bytes("<stdin>", "", stdin.read())
        else:
            yield from parse_bytes(path, Path(path).suffix.lower(), Path(path).read_bytes())


def parse_bytes(where: str, suffix: str, data: bytes) -> Iterator[Item]:
    """Guess the format from the suffix, else from the first character, and parse."""
    head = data.lstrip()[:1]
    if suffix in _JSON_SUFFIXES or (not suffix and head == b"{"):
        yield from _json_lines(where, data)
        return
    text = data.decode("utf-8", errors="replace")
    if suffix in _HTML_SUFFIXES or (suffix not in {".txt", ".text"} and head == b"<"):
        yield Item(where, RawArticle(html=text))
    else:
        yield Item(where, plain_text_article(text))


def _json_lines(where: str, data: bytes) -> Iterator[Item]:
    for number, line in enumerate(data.splitlines(), start=1):
        if line.strip():
            yield Item(f"{where}:{number}", decode(RawArticle, line))


def plain_text_article(text: str) -> RawArticle | Rejected:
    """The scrapers' plain-text format: the first non-empty line is the title."""
    lines = text.strip().split("\n")
    if not lines or not lines[0].strip():
        return Rejected("empty_text", "the file has no text")
    return RawArticle(title=lines[0].strip(), text="\n".join(lines[1:]))
