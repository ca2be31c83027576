"""Furniture the page's markup names: lines of trafilatura's text that came from a small
element whose class or id says what it is (`related`, `author`, `caption`, `social`,
`newsletter`, `disclosure`, `breadcrumb`, ...) or that is a <figcaption>. Pure.

trafilatura drops most such boxes itself, but not all: its lists of names are tried on
some tags only (not on <a>, <figcaption>, <article> or <h3>), and it puts back what it
pruned when the rest looks too short. The page's markup is read before trafilatura sees
it; the text it returns is matched against it afterwards, line by line. A line goes only
when it is all inside such an element and nowhere else on the page (a lead repeated in a
teaser stays), and only when the element is small beside the article: a class on a
wrapper of the whole article (`single-post related-...`) says nothing of its lines.

The links say as much: a line whose every word is inside links, one of them to another
page of the same site, is another story's headline or a menu entry (rule `site_link`),
on the same terms. A source cited by a link to another site stays, and so do a table's
cells and a link within the page.
"""

from __future__ import annotations

import re

from lxml import etree
from lxml.html import HtmlElement

from schemas import Removal
from streams.cleaning.text import line_key

#: The words of a class or id that name furniture, with the kind (removal rule) each names.
#: Words, not substrings: "bio" is not "biology", "related" not "relative".
NAMES: dict[str, str] = {
    "related": "related_card",
    "author": "author_bio",
    "bio": "author_bio",
    "byline": "author_bio",
    "caption": "photo_credit",
    "figcaption": "photo_credit",
    "credit": "photo_credit",
    "copyright": "copyright",
    "social": "share",
    "share": "share",
    "sharing": "share",
    "newsletter": "newsletter",
    "subscribe": "newsletter",
    "signup": "newsletter",
    "disclosure": "advertisement",
    "sponsored": "advertisement",
    "promo": "advertisement",
    "breadcrumb": "page_furniture",
    "sidebar": "page_furniture",
    "footer": "page_furniture",
    "meta": "page_furniture",
    "tags": "page_furniture",
}
#: Elements that are furniture whatever their class.
TAGS: dict[str, str] = {"figcaption": "photo_credit", "nav": "page_furniture"}
#: An element holding more than this share of the article's text is not a box beside it.
MAX_SHARE = 0.3

#: The rule of a line that is a link to another page of the site and nothing else.
SITE_LINK = "site_link"

# The elements worth splitting into words: those with a class or id, and the tags; a name
# somewhere in the class or id (one regex search each) before the split.
_NAMED = etree.XPath("//*[@class or @id]" + "".join(f" | //{tag}" for tag in TAGS))
_ANY_NAME = re.compile("|".join(NAMES))
# A class or id as words: "TestReport__AuthorBox" is test, report, author, box.
_WORDS = re.compile(r"[^A-Za-z0-9]+|(?<=[a-z])(?=[A-Z])")
_LINKS = etree.XPath("//body//a[@href]")
# The elements a line of trafilatura's text is made of; a link's nearest one is its block.
_BLOCKS = frozenset(
    {"p", "li", "dt", "dd", "td", "th", "div", "blockquote", "figcaption", "section", "article"}
    | {f"h{level}" for level in range(1, 7)}
)
_CELLS = frozenset({"td", "th"})
_HOST = re.compile(r"(?:https?:)?//(?:www\.)?([^/?#:]*)", re.IGNORECASE)
_SCHEME = re.compile(r"[a-z][a-z0-9+.-]*:", re.IGNORECASE)


def without_named_furniture(
    tree: HtmlElement, text: str, host: str = ""
) -> tuple[str, list[Removal]]:
    """trafilatura's `text` of the page `tree` without the lines of its named furniture and
    of its links to other pages of the site at `host` (`host_of` the page's URL), and those
    lines, each with its kind. The tree is read, not changed."""
    # The text's size without its padding (some pages indent every line by dozens of spaces).
    boxes = _small_boxes(tree, MAX_SHARE * len(" ".join(text.split())))
    boxes += _site_links(tree, host, text)
    if not boxes:
        return text, []
    longest = max(len(words) for words, _ in boxes)
    kept: list[str] = []
    removed: list[Removal] = []
    page: list[str] = []  # the page's words, read once a line is found in a box
    for line in text.split("\n"):
        # A line longer than every box cannot be in one (the words are shorter than the line).
        kind = (
            _furniture(line_key(line), boxes, page, tree)
            if len(line.strip()) < 2 * longest
            else None
        )
        if kind is None:
            kept.append(line)
        else:
            removed.append(Removal(rule=kind, text=line))
    return "\n".join(kept), removed


def _small_boxes(tree: HtmlElement, limit: float) -> list[tuple[str, str]]:
    """The words and kind of each named element no longer than `limit` characters, the
    outermost only (a box inside another is counted in it)."""
    boxes: list[tuple[str, str]] = []
    taken: set[HtmlElement] = set()
    for element in _NAMED(tree):
        if (kind := _kind(element)) is None or any(a in taken for a in element.iterancestors()):
            continue
        words = _words(element)
        if words and len(words) <= limit:
            taken.add(element)
            boxes.append((f" {words} ", kind))
    return boxes


def host_of(url: str) -> str:
    """The host of an absolute URL ("//host/..." too), without "www."; "" for anything else."""
    match = _HOST.match(url)
    return match.group(1).lower() if match else ""


def _site_links(tree: HtmlElement, host: str, text: str) -> list[tuple[str, str]]:
    """The words of each block (paragraph, list item, heading, ...) whose every word is
    inside links, one of them to another page of the site (`host`): another story's
    headline, a menu entry. A link elsewhere (a source, a document) or within the page
    leaves its block alone, and so does a table's cell (a table of links is data). Only
    links whose words are in the `text` are looked at (most of a page's are gone from it)."""
    blocks: list[tuple[str, str]] = []
    seen: set[HtmlElement] = set()
    for link in _LINKS(tree):
        words = " ".join(" ".join(link.itertext()).split())
        if not words or words not in text or not _to_the_site(link.get("href", "").strip(), host):
            continue
        block = next((a for a in link.iterancestors() if a.tag in _BLOCKS), None)
        if block is None or block in seen or block.tag in _CELLS:
            continue
        seen.add(block)
        words = _words(block)
        linked = " ".join(t for a in block.iter("a") if a.get("href") for t in a.itertext())
        if words and words == line_key(linked):
            blocks.append((f" {words} ", SITE_LINK))
    return blocks


def _to_the_site(href: str, host: str) -> bool:
    """A link to another page of the site: relative, or absolute to the page's host."""
    if href.startswith("#"):
        return False
    if (match := _HOST.match(href)) is not None:
        return bool(host) and match.group(1).lower() == host
    return _SCHEME.match(href) is None  # not mailto:, javascript:, tel:, ...


def _kind(element: HtmlElement) -> str | None:
    if (kind := TAGS.get(str(element.tag))) is not None:
        return kind
    if not _ANY_NAME.search(f"{element.get('class')} {element.get('id')}".lower()):
        return None
    for attribute in ("class", "id"):
        for word in _WORDS.split(element.get(attribute) or ""):
            if (kind := NAMES.get(word.lower())) is not None:
                return kind
    return None


def _furniture(
    key: str, boxes: list[tuple[str, str]], page: list[str], tree: HtmlElement
) -> str | None:
    """The kind of the box the line is in, when it is in no other part of the page."""
    if not key:
        return None
    needle = f" {key} "
    inside = [(words, kind) for words, kind in boxes if needle in words]
    if not inside:
        return None
    if not page:
        body = tree.find("body")
        page.append(f" {_words(body if body is not None else tree)} ")
    if page[0].count(needle) > sum(words.count(needle) for words, _ in inside):
        return None
    return inside[0][1]


def _words(element: HtmlElement) -> str:
    """The element's words; its texts joined by spaces, as a name set in its own element
    before a sentence ("<b>Jane Doe</b>Jane Doe is ...") is not one word with it."""
    return line_key(" ".join(element.itertext()))
