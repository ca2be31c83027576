"""Body lines in, the article's paragraphs out: each kept once, furniture removed. Pure.

One pass decides each line (trailing related list, repeated title, repeat, furniture, or
body); a second looks at the lines around the decisions (the heading of a newsletter box,
an author's biography at the very end); the last rejoins a paragraph that an injected
card had split in two. Every removal is recorded with its rule, for `--explain`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence

import ahocorasick

from schemas import Removal
from streams.cleaning.boilerplate import (
    BIO_LINES,
    HEADED_RULES,
    LINE_RULES,
    MAX_HEADING_WORDS,
    MAX_HEADLINE_WORDS,
    SPAN_RULES,
    TRAILING_BIO,
    TRAILING_MARKER,
    LineRule,
)
from streams.cleaning.text import line_key

KEEP = ""
#: A bar of items between "|": at most this many items of at most this many words.
MAX_BAR_ITEMS = 12
MAX_BAR_ITEM_WORDS = 6
# A line that ends a sentence (possibly inside closing quotes or brackets).
_SENTENCE_END = re.compile(r"[.!?:;…][\"')\]]*$")
# Site names after a title: "Ferry strike ends | Northwind News".
_TITLE_SUFFIX = re.compile(r"\s+[|–—-]\s+[^|–—-]{1,60}$")
_LONGEST_FURNITURE = max(rule.max_words for rule in LINE_RULES)
# The rules a line of n words can match, for every n: a long body line meets only a few.
_RULES_BY_WORDS = tuple(
    tuple(rule for rule in LINE_RULES if words <= rule.max_words)
    for words in range(_LONGEST_FURNITURE + 1)
)
# Every span rule's trigger, looked for in the whole article before any line.
_SPAN_TRIGGERS = frozenset(t for rule in SPAN_RULES if not rule.exact for t in rule.triggers)
_EXACT_TRIGGERS = frozenset(t for rule in SPAN_RULES if rule.exact for t in rule.triggers)
# What a line is compared by, cheaply: its words as written, whatever the case and the
# punctuation around it; a title is also compared by its letters and digits alone.
_EDGES = " .,;:!?\"'()[]{}-–—…*•·|"


def _automaton(words: Iterable[str]) -> ahocorasick.Automaton:
    """One pass of it over a text finds every one of `words` the text holds."""
    automaton = ahocorasick.Automaton()
    for word in set(words):
        automaton.add_word(word, word)
    automaton.make_automaton()
    return automaton


# Every trigger in small letters, an exact one's too (text without it in small letters is
# without it as written): one pass over the article finds all that occur, in half the time
# a search for each of the forty took.
_TRIGGERS = _automaton(trigger.lower() for trigger in _SPAN_TRIGGERS | _EXACT_TRIGGERS)
# Every line rule's needles, and the longest line (in words) they are looked for with one
# pass (`_candidates`): on the dev corpus, lines of up to 30-40 words gain, longer ones lose.
_NEEDLES = _automaton(needle for rule in LINE_RULES for needle in rule.needs)
_SCANNED_WORDS = 40


def clean_lines(title: str, lines: Sequence[str]) -> tuple[list[str], list[Removal]]:
    """Keep each body line once; drop repeated titles, repeats, furniture, trailing lists."""
    lines = [line for line in lines if line]
    texts, removed = _without_spans(lines)
    rules = _decide(title, texts)
    _mark_headings(texts, rules)
    _mark_trailing_bio(texts, rules)
    return _assemble(texts, rules, removed)


def _without_spans(lines: list[str]) -> tuple[list[str], list[Removal]]:
    """Each line with the furniture inside it cut out, and what was cut."""
    removed: list[Removal] = []
    whole = "\n".join(lines)
    found = {trigger for _, trigger in _TRIGGERS.iter(whole.lower())}
    if not found:
        return lines, removed
    present = found & _SPAN_TRIGGERS
    present.update(t for t in _EXACT_TRIGGERS if t.lower() in found and t in whole)
    active = [rule for rule in SPAN_RULES if present.intersection(rule.triggers)]
    texts: list[str] = []
    for line in lines:
        lowered = line.lower()
        for rule in active:
            if any(trigger in (line if rule.exact else lowered) for trigger in rule.triggers):
                line = _cut(rule.rule, rule.pattern, rule.max_words, line, removed)
        texts.append(line.strip())
    return texts, removed


def _cut(rule: str, pattern: re.Pattern[str], max_words: int, line: str, out: list[Removal]) -> str:
    def replace(match: re.Match[str]) -> str:
        span = match.group().strip()
        if len(span.split()) > max_words:
            return match.group()
        out.append(Removal(rule=rule, text=span))
        return ""

    return pattern.sub(replace, line)


def _decide(title: str, texts: list[str]) -> list[str]:
    """The rule that removes each line, or KEEP."""
    titles = _Title(title)
    seen: set[str] = set()
    cut = trailing_block_start(texts)
    rules: list[str] = []
    for index, text in enumerate(texts):
        key = text.casefold().strip(_EDGES)
        rule = "trailing_related_list" if index >= cut else _line_rule(text, key, titles, seen)
        if rule == KEEP:
            seen.add(key)
        rules.append(rule)
    return rules


class _Title:
    """Is a line the title again? Same words, whatever the case, quotes or site name."""

    def __init__(self, title: str) -> None:
        titles = {title, _TITLE_SUFFIX.sub("", title)}  # most titles have no site name
        self.quick = {t.casefold().strip(_EDGES) for t in titles} - {""}
        self.keys = {line_key(t) for t in titles} - {""}
        self.length = len(title)

    def matches(self, line: str, key: str) -> bool:
        """`key`: the line casefolded and stripped of punctuation at its ends."""
        if key in self.quick:
            return True
        near = abs(len(line) - self.length) <= self.length // 4 + 4
        return near and line_key(line) in self.keys


def _line_rule(text: str, key: str, title: _Title, seen: set[str]) -> str:
    if not text:
        return "span_only"
    if not _has_word(text):
        return "no_words"
    if title.matches(text, key):
        return "repeated_title"
    if key in seen:
        return "repeated_paragraph"
    return furniture_rule(text) or _bar_rule(text)


def _bar_rule(text: str) -> str:
    """A bar of short items between "|" (date | categories | comments, menu entries) is page
    furniture; a table row, which starts with "|", is not."""
    if " | " not in text or text.startswith("|"):
        return KEEP
    parts = text.split(" | ")
    if len(parts) > MAX_BAR_ITEMS or any(_long_item(part) for part in parts):
        return KEEP
    return "page_furniture"


def _long_item(part: str) -> bool:
    return not 1 <= part.count(" ") + 1 <= MAX_BAR_ITEM_WORDS or part.rstrip().endswith(".")


def _has_word(text: str) -> bool:
    return any(char.isalnum() for char in text)


def furniture_rule(text: str) -> str:
    """The kind of furniture a whole line is, or KEEP."""
    words = text.count(" ") + 1
    if words > _LONGEST_FURNITURE:
        return KEEP
    for rule in _candidates(text.lower(), words):
        if rule.pattern.fullmatch(text):
            return rule.rule
    return KEEP


def _candidates(lowered: str, words: int) -> Iterator[LineRule]:
    """The rules for a line of `words` words, in order, without those whose needles it lacks.

    A short line meets a dozen rules with needles, some sixty needles in all: one pass of
    the automaton finds those it holds. A longer line meets a handful, whose needles are
    quicker to look for one by one than the automaton is to run over the whole line.
    """
    rules = _RULES_BY_WORDS[words]
    if words <= _SCANNED_WORDS:
        held = {needle for _, needle in _NEEDLES.iter(lowered)}
        return (rule for rule in rules if not rule.needs or not held.isdisjoint(rule.needs))
    return (rule for rule in rules if not rule.needs or any(n in lowered for n in rule.needs))


def trailing_block_start(lines: Sequence[str]) -> int:
    """Index of a last marker ("Similar Posts", "Tags:") followed only by headlines."""
    for index in range(len(lines) - 1, -1, -1):
        # At most 8 words: a split that stops after the ninth word's start tells as well.
        if len(lines[index].split(maxsplit=8)) <= 8 and TRAILING_MARKER.fullmatch(lines[index]):
            return index if all(map(_is_headline, lines[index + 1 :])) else len(lines)
    return len(lines)


def _is_headline(line: str) -> bool:
    """Short and not a sentence: a sentence after the marker means the body goes on."""
    return len(line.split()) <= MAX_HEADLINE_WORDS and not _SENTENCE_END.search(line)


def _mark_headings(texts: list[str], rules: list[str]) -> None:
    """A short heading right above a newsletter box ("BYPASS THE CENSORS") is the box's."""
    for index in range(len(texts) - 1):
        below = rules[index + 1]
        if rules[index] == KEEP and below in HEADED_RULES and _is_heading(texts[index]):
            rules[index] = below


def _is_heading(text: str) -> bool:
    return len(text.split()) <= MAX_HEADING_WORDS and not _SENTENCE_END.search(text)


def _mark_trailing_bio(texts: list[str], rules: list[str]) -> None:
    """ "X is a reporter for Y." among the last lines is a biography; in the body it is news."""
    kept = [index for index, rule in enumerate(rules) if rule == KEEP]
    for index in reversed(kept[-BIO_LINES:]):
        # The pattern first: it fails at a body line's first words, long before a count of
        # every word would be done.
        if not TRAILING_BIO.fullmatch(texts[index]) or len(texts[index].split()) > 80:
            break
        rules[index] = "author_bio"


def _assemble(
    texts: list[str], rules: list[str], removed: list[Removal]
) -> tuple[list[str], list[Removal]]:
    """Kept lines as paragraphs, rejoining one that a removed card split mid-sentence."""
    kept: list[str] = []
    split = False
    for text, rule in zip(texts, rules, strict=True):
        if rule != KEEP:
            if rule != "span_only":
                removed.append(Removal(rule=rule, text=text))
            split = split or bool(kept)
        elif split and not _SENTENCE_END.search(kept[-1]) and text[:1].islower():
            kept[-1] = f"{kept[-1]} {text}"
            split = False
        else:
            kept.append(text)
            split = False
    return kept, removed
