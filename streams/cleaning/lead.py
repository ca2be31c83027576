"""The article's lead (standfirst), put back when the extraction left it out. Pure.

trafilatura often drops the paragraph set between the headline and the body (a class
`teaser-text`, `article__intro`, `lead`, `standfirst`, `excerpt`, ...): it sits in the
article's header, apart from the body's paragraphs, and "teaser" is among its names for
boilerplate. Yet it is the story's summary, the sentences a classifier most needs.

The first element the markup names as a lead is put back before the body's first line
when it lies between the headline and the body on the page, its class is its own (a class
shared by several elements is a list of other stories' cards), it is a paragraph of its
own (no link, MIN_WORDS to MAX_WORDS words, not also named as furniture, an image's or the
site's: "author-description", "img_description", a blog's "site-description"), and its
words are not in the text already. A page whose headline cannot be found gets nothing.
"""

from __future__ import annotations

import re
from collections import Counter

from lxml import etree
from lxml.html import HtmlElement

from streams.cleaning.structure import NAMES as FURNITURE
from streams.cleaning.structure import class_words
from streams.cleaning.text import line_key

#: The words of a class or id that name a lead.
NAMES = frozenset(
    {
        "lead",
        "lede",
        "intro",
        "standfirst",
        "teaser",
        "excerpt",
        "summary",
        "chapo",
        "subheadline",
        "subtitle",
        "dek",
        "abstract",
        "vorspann",
        "preface",
        "description",
    }
)
#: Words that name something else when they come with a lead's.
OTHER = frozenset({"site", "img", "image", "photo", "picture", "media", "video", "gallery"})
#: A lead has at least this many words, and at most this many.
MIN_WORDS = 6
MAX_WORDS = 150
#: A line of the body has at least this many words (a headline or a byline has fewer).
BODY_WORDS = 12

_NAMED = etree.XPath("//body//*[@class or @id]")
# Any lead's name in the lowered class and id, before they are split into words (a search
# ignoring case costs three times as much).
_ANY_NAME = re.compile("|".join(sorted(NAMES)))
# Where a title's parts meet: "Headline | Site", "Site / Section / Headline", "Site: Headline".
_TITLE_PARTS = re.compile(r"\s+[|/–—:-]\s+|:\s+")


def with_lead(tree: HtmlElement, text: str, title: str = "") -> str:
    """`text` (trafilatura's, of the page `tree` titled `title`) with the page's lead before
    its first body line, when the text lacks it."""
    lines = text.split("\n")
    first = next((i for i, line in enumerate(lines) if len(line.split()) >= BODY_WORDS), None)
    candidates = _candidates(tree, f" {line_key(text)} ") if first is not None else []
    if first is None or not candidates:
        return text
    # The page's words are read only now: most pages have no lead left out.
    body = tree.find("body")
    page = f" {line_key(' '.join((body if body is not None else tree).itertext()))} "
    start = page.find(f" {_opening(lines[first], 8)} ")
    headline = _headline(tree, page, title)
    for words, lead in candidates:
        if 0 <= headline < page.find(f" {words} ") < start:
            return "\n".join([*lines[:first], lead, *lines[first:]])
    return text


def _candidates(tree: HtmlElement, text: str) -> list[tuple[str, str]]:
    """The words and text of each element named as a lead, in page order, that could be
    this article's and that `text` (as words between spaces) lacks."""
    named = [element for element in _NAMED(tree) if _is_lead(element)]
    classes = Counter(element.get("class") for element in named)
    found = []
    for element in named:
        if classes[element.get("class")] > 1 or _linked(element):
            continue
        lead = " ".join(" ".join(element.itertext()).split())
        words = line_key(lead)
        if MIN_WORDS <= words.count(" ") + 1 <= MAX_WORDS and f" {words} " not in text:
            found.append((words, lead))
    return found


def _headline(tree: HtmlElement, page: str, title: str) -> int:
    """Where the headline starts in the page's words: the title's, or a part of it, or the
    first <h1>'s; -1 when none is found."""
    parts = [title, *_TITLE_PARTS.split(title)]
    h1 = tree.find(".//h1")
    if h1 is not None:
        parts.append(" ".join(h1.itertext()))
    for part in parts:
        words = _opening(part, 6)
        if " " in words and (where := page.find(f" {words} ")) >= 0:
            return where
    return -1


def _opening(line: str, words: int) -> str:
    return " ".join(line_key(line).split()[:words])


def _is_lead(element: HtmlElement) -> bool:
    names = f"{element.get('class') or ''} {element.get('id') or ''}"
    if element.tag == "figure" or not _ANY_NAME.search(names.lower()):
        return False
    words = set(class_words(names))
    return not words.isdisjoint(NAMES) and words.isdisjoint(OTHER | FURNITURE.keys())


def _linked(element: HtmlElement) -> bool:
    return any(link.get("href") for link in element.iter("a"))
