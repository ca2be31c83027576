"""The clean stage: a raw article in, a clean article (or a rejection) out. Pure."""

from __future__ import annotations

import re
from datetime import datetime

from schemas import CleanArticle, RawArticle, Removal
from streams.cleaning.html import html_to_text
from streams.cleaning.text import line_key, normalize
from streams.rejection import Rejected

# Whole lines that are page furniture wherever they appear.
_BOILERPLATE_LINE = re.compile(
    r"(advertisement|read more:?|share this( article)?|click here to subscribe"
    r"|media playback is unsupported on your device)",
    re.IGNORECASE,
)
# Lines that open a trailing block of other stories' headlines.
_TRAILING_MARKER = re.compile(
    r"(similar posts|related posts|related articles|related stories|more stories"
    r"|you may also like|recommended( for you)?)\s*:?",
    re.IGNORECASE,
)
# A headline in a trailing list is short; a longer line is body text we must keep.
_MAX_HEADLINE_WORDS = 20


def clean(raw: RawArticle, *, ingested: datetime) -> CleanArticle | Rejected:
    """Turn what a scraper or feed delivered into the text the classifier should read.

    `ingested` stands in for the article's entry time when the publisher did not set one.
    """
    title, body = _title_and_body(raw)
    paragraphs, removed = clean_lines(title, body.split("\n"))
    if not paragraphs:
        return Rejected("empty_text", "no text left after cleaning")
    return CleanArticle(
        id=raw.id,
        title=title,
        text="\n\n".join(paragraphs),
        url=raw.url,
        source=raw.source,
        published=raw.published,
        ingested=raw.ingested or ingested,
        removed=removed,
    )


def _title_and_body(raw: RawArticle) -> tuple[str, str]:
    if raw.text and raw.text.strip():
        return normalize(raw.title), normalize(raw.text)
    html_title, html_body = html_to_text(raw.html or "")
    return normalize(raw.title or html_title), normalize(html_body)


def clean_lines(title: str, lines: list[str]) -> tuple[list[str], list[Removal]]:
    """Keep each body line once; drop repeated titles, repeats, furniture, trailing link lists."""
    kept: list[str] = []
    removed: list[Removal] = []
    seen = {line_key(title)} if title else set()
    lines = [line for line in lines if line]
    cut = _trailing_block_start(lines)
    for index, line in enumerate(lines):
        rule = _removal_rule(line, line_key(line), seen, title, index >= cut)
        if rule:
            removed.append(Removal(rule=rule, text=line))
        else:
            seen.add(line_key(line))
            kept.append(line)
    return kept, removed


def _removal_rule(line: str, key: str, seen: set[str], title: str, trailing: bool) -> str:
    if trailing:
        return "trailing_related_list"
    if not key:
        return "no_words"
    if title and key == line_key(title):
        return "repeated_title"
    if key in seen:
        return "repeated_paragraph"
    if _BOILERPLATE_LINE.fullmatch(line):
        return "boilerplate_line"
    return ""


def _trailing_block_start(lines: list[str]) -> int:
    """Index of a trailing "Similar Posts" marker followed only by headline-length lines."""
    for index in range(len(lines) - 1, -1, -1):
        if _TRAILING_MARKER.fullmatch(lines[index]):
            tail = lines[index + 1 :]
            if all(len(line.split()) <= _MAX_HEADLINE_WORDS for line in tail):
                return index
            break
    return len(lines)
