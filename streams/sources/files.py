"""Articles from files, directories or standard input: JSON lines, plain text, HTML, gzip of any.

JSON lines are streamed line by line, so a multi-gigabyte load never sits in memory; a
plain-text or HTML file is one article and is read whole. A `progress` callback hears how
many bytes were read from disk (compressed bytes for gzip), which is what a bulk load's
progress bar and ETA are measured in.
"""

from __future__ import annotations

import gzip
import io
import os
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from schemas import RawArticle
from streams.codec import decode, without_bom
from streams.rejection import Rejected

_JSON_SUFFIXES = {".jsonl", ".ndjson", ".json"}
_HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
_TEXT_SUFFIXES = {".txt", ".text"}
#: What a directory walk picks up (also with ".gz" appended); other files are left alone.
KNOWN_SUFFIXES = _JSON_SUFFIXES | _HTML_SUFFIXES | _TEXT_SUFFIXES
_GZIP_MAGIC = b"\x1f\x8b"

Progress = Callable[[int], None]


@dataclass(frozen=True, slots=True)
class Item:
    """One input article, or why it could not be read, and where it came from."""

    where: str
    article: RawArticle | Rejected


def read_paths(
    paths: list[str], stdin: IO[bytes], progress: Progress | None = None
) -> Iterator[Item]:
    """Every article in the given files and directories ("-" is standard input), in order.

    A path that does not exist raises OSError (a mistake on the command line); a file that
    exists but cannot be read or decompressed becomes one Rejected item, and the rest go on.
    """
    for path in expand(paths):
        if path == "-":
            yield from read_stream("<stdin>", "", stdin)
        else:
            yield from read_file(Path(path), progress)


def expand(paths: Iterable[str]) -> list[str]:
    """Directories replaced by the article files under them (recursive, sorted, no hidden ones)."""
    expanded: list[str] = []
    for path in paths:
        if path != "-" and Path(path).is_dir():
            expanded.extend(str(p) for p in _walk(Path(path)))
        elif path == "-" or Path(path).exists():
            expanded.append(path)
        else:
            raise FileNotFoundError(f"no such file or directory: {path}")
    return expanded


def _walk(root: Path) -> Iterator[Path]:
    for folder, dirs, names in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(names):
            if not name.startswith(".") and _inner_suffix(name) in KNOWN_SUFFIXES:
                yield Path(folder) / name


def _inner_suffix(name: str) -> str:
    """The format suffix, under a ".gz" if there is one: "a.jsonl.gz" -> ".jsonl"."""
    path = Path(name.lower())
    if path.suffix == ".gz":
        path = path.with_suffix("")
    return path.suffix


def total_bytes(paths: Iterable[str]) -> int | None:
    """Bytes on disk a load will read (what progress counts), or None when stdin is among them."""
    total = 0
    for path in paths:
        if path == "-":
            return None
        total += Path(path).stat().st_size
    return total


def read_file(path: Path, progress: Progress | None = None) -> Iterator[Item]:
    """The articles in one file; an unreadable or corrupt file becomes one Rejected item."""
    try:
        with path.open("rb", buffering=0) as raw:
            counted = io.BufferedReader(_Counting(raw, progress), buffer_size=1 << 16)
            yield from read_stream(str(path), _inner_suffix(path.name), counted)
    except (OSError, EOFError, zlib.error) as error:
        yield Item(str(path), Rejected("unreadable", f"{type(error).__name__}: {error}"))


def read_stream(where: str, suffix: str, stream: IO[bytes]) -> Iterator[Item]:
    """Sniff gzip and the format from the first bytes when the suffix does not say, and parse."""
    buffered = _peekable(stream)
    if buffered.peek(2)[:2] == _GZIP_MAGIC:
        buffered = _peekable(gzip.GzipFile(fileobj=buffered))
    head = without_bom(buffered.peek(1 << 12)).lstrip()[:1]
    if suffix in _JSON_SUFFIXES or (not suffix and head == b"{"):
        yield from json_lines(where, buffered)
    else:
        yield from parse_bytes(where, suffix, buffered.read())


def _peekable(stream: Any) -> io.BufferedReader:
    """A reader that can look at its first bytes without consuming them."""
    return stream if hasattr(stream, "peek") else io.BufferedReader(stream)


def parse_bytes(where: str, suffix: str, data: bytes) -> Iterator[Item]:
    """Guess the format from the suffix, else from the first character, and parse."""
    data = without_bom(data)
    head = data.lstrip()[:1]
    if suffix in _JSON_SUFFIXES or (not suffix and head == b"{"):
        yield from json_lines(where, data.splitlines())
        return
    text = data.decode("utf-8", errors="replace")
    if suffix in _HTML_SUFFIXES or (suffix not in _TEXT_SUFFIXES and head == b"<"):
        yield Item(where, RawArticle(html=text))
    else:
        yield Item(where, plain_text_article(text))


def json_lines(where: str, lines: Iterable[bytes]) -> Iterator[Item]:
    """One RawArticle per non-blank line; a bad line is a Rejected item named `where:line`."""
    for number, line in enumerate(lines, start=1):
        if line.strip():
            yield Item(f"{where}:{number}", decode(RawArticle, line))


def plain_text_article(text: str) -> RawArticle | Rejected:
    """The scrapers' plain-text format: the first non-empty line is the title."""
    lines = text.strip().split("\n")
    if not lines or not lines[0].strip():
        return Rejected("empty_text", "the file has no text")
    return RawArticle(title=lines[0].strip(), text="\n".join(lines[1:]))


class _Counting(io.RawIOBase):
    """A raw file that tells `progress` how many bytes each read took from disk."""

    def __init__(self, raw: IO[bytes], progress: Progress | None) -> None:
        self._raw = raw
        self._progress = progress

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        count = self._raw.readinto(buffer)  # type: ignore[attr-defined]
        if count and self._progress is not None:
            self._progress(count)
        return int(count or 0)
