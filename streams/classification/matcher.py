"""Find every taxonomy term in an article in one Aho-Corasick pass. Pure.

All topics' terms go into one automaton, built once per taxonomy. An article's title and
body are casefolded and every character that is not part of a word becomes a space, keeping
character offsets; a term is then the key " word word " (a whole word or phrase) or
" word" (a prefix, `ukrain*`), so word boundaries cost nothing at match time.
"""

from __future__ import annotations

from dataclasses import dataclass

import ahocorasick

# ASCII: upper case to lower case, every non-word character to a space; other bytes kept.
_ASCII_TABLE = bytes(
    code if code >= 128 else ord(chr(code).lower()) if chr(code).isalnum() or code == 95 else 32
    for code in range(256)
)
# The non-ASCII punctuation and spaces news text is full of (quotes, dashes, ellipses).
_UNICODE_SEPARATORS = tuple("\u2018\u2019\u201a\u201b\u201c\u201d\u201e\u2032\u2033")
_UNICODE_SEPARATORS += tuple("\u2010\u2011\u2012\u2013\u2014\u2015\u2026\u00ab\u00bb")
_UNICODE_SEPARATORS += tuple("\u2039\u203a\u00a0\u2009\u202f\u00b7\u2022\u00b4\u3000")

TITLE, BODY = 0, 1


def normalize(text: str) -> str:
    """Lower case, non-word characters as spaces, same length as `text` (offsets hold)."""
    folded = text.encode("utf-8").translate(_ASCII_TABLE).decode("utf-8")
    if folded.isascii():
        return folded
    if not folded.islower():  # upper-case letters beyond ASCII are left: rare, and slower
        lowered = folded.lower()
        if len(lowered) != len(folded):  # a few letters lower-case to two characters
            lowered = "".join(c if len(c.lower()) != 1 else c.lower() for c in folded)
        folded = lowered
    for separator in _UNICODE_SEPARATORS:
        if separator in folded:
            folded = folded.replace(separator, " ")
    return folded


@dataclass(frozen=True, slots=True)
class Key:
    """What the automaton looks for: words, the last one perhaps only a prefix."""

    words: tuple[str, ...]
    prefix: bool

    def pattern(self) -> str:
        return " " + " ".join(self.words) + ("" if self.prefix else " ")


class KeyTable:
    """Every distinct key of a taxonomy, numbered; topics refer to keys by number."""

    def __init__(self) -> None:
        self.keys: dict[Key, int] = {}

    def number(self, key: Key) -> int:
        return self.keys.setdefault(key, len(self.keys))

    def automaton(self) -> ahocorasick.Automaton:
        """One automaton for all keys; a value says how to find the matched words' span."""
        automaton = ahocorasick.Automaton()
        for key, number in self.keys.items():
            pattern = key.pattern()
            # From the pattern's last character: back to its leading space, which is the
            # words' start in the unpadded text; and back past a trailing space.
            automaton.add_word(pattern, (number, len(pattern) - 1, 0 if key.prefix else 1))
        if self.keys:
            automaton.make_automaton()
        return automaton


# A hit: (field, start, end, zone weight, paragraph); end is where the key's text ends, and
# the paragraph is the offset of the body line it is in (-1 in the title).
Hit = tuple[int, int, int, float, int]


@dataclass(frozen=True, slots=True)
class Zones:
    """How much a hit counts by where it is: title, lead, body, or an aside in the body.

    An aside is a body line that reads like a headline (short, no closing punctuation) or
    starts with a related-stories marker: boxes of other stories' headlines injected into a
    page should not make an article about their topic.
    """

    title: float
    lead: float
    body: float
    aside: float
    lead_chars: int


ASIDE_MAX_WORDS = 14
_CLOSING = tuple(".!?:;\"'”’“…)]")
_MARKERS = (
    "related",
    "read more",
    "read also",
    "also read",
    "see also",
    "more:",
    "trending",
    "recommended",
    "most read",
    "watch:",
    "latest:",
)


_MARKER_CHARS = 2 * max(map(len, _MARKERS))  # room for letters that lower-case to two


def is_aside(line: str) -> bool:
    """A body line that is likely another story's headline or a link, not the article.

    Every body line is asked, and most are paragraphs of hundreds of characters: only the
    start is lower-cased, and the words are counted only up to the limit.
    """
    stripped = line.strip().lstrip("-–—•*· ").strip()
    if not stripped:
        return False
    if stripped[:_MARKER_CHARS].lower().startswith(_MARKERS):
        return True
    short = len(stripped.split(" ", ASIDE_MAX_WORDS)) <= ASIDE_MAX_WORDS  # < 14 spaces
    return short and not stripped.endswith(_CLOSING)


class Scan:
    """One article's hits per key (in text order), and what NEAR needs to know."""

    __slots__ = ("asides", "hits", "length", "text", "title")

    def __init__(self, title: str, text: str) -> None:
        self.title, self.text = title, text
        self.length = len(title) + len(text)
        self.hits: dict[int, list[Hit]] = {}
        # Whether each body line with a hit is an aside, by its start: aboutness counts
        # paragraphs and asks again of every line (aboutness.paragraph_units).
        self.asides: dict[int, bool] = {}

    def word_numbers(self, field: int, positions: list[int]) -> dict[int, int]:
        """How many words precede each position (separators counted), in one pass."""
        text = self.title if field == TITLE else self.text
        numbers: dict[int, int] = {}
        count = previous = 0
        for position in sorted(set(positions)):
            count += text.count(" ", previous, position) + text.count("\n", previous, position)
            numbers[position], previous = count, position
        return numbers


def scan(automaton: ahocorasick.Automaton, title: str, text: str, zones: Zones) -> Scan:
    """Every occurrence of every key in the title and the body, weighted by its zone."""
    found = Scan(title, text)
    hits = found.hits
    for last, (number, back, trailing) in automaton.iter(" " + normalize(title) + " "):
        hit = (TITLE, last - back, last - trailing, zones.title, -1)
        known = hits.get(number)
        if known is None:  # appended, not copied: a title of one term repeated is quadratic
            hits[number] = [hit]
        else:
            known.append(hit)
    lead_chars, lead, body, aside_weight = zones.lead_chars, zones.lead, zones.body, zones.aside
    line_start, line_end, aside = 0, -1, False
    for last, (number, back, trailing) in automaton.iter(" " + normalize(text) + " "):
        start = last - back  # an offset in `text`: the padding shifts it by one
        if start > line_end:  # hits come in order: find each line's end once
            line_start = text.rfind("\n", 0, start) + 1
            line_end = text.find("\n", start)
            line_end = len(text) if line_end < 0 else line_end
            aside = found.asides[line_start] = is_aside(text[line_start:line_end])
        weight = aside_weight if aside else lead if start < lead_chars else body
        hit = (BODY, start, last - trailing, weight, line_start)
        known = hits.get(number)
        if known is None:
            hits[number] = [hit]
        else:
            known.append(hit)
    return found
