"""Furniture the page's markup names: lines of trafilatura's text that came from a small
element whose class or id says what it is (`related`, `author`, `caption`, `social`,
`newsletter`, `disclosure`, `breadcrumb`, `button`, ...), that is a <figcaption> or an
<address>, or whose microdata property (itemprop) is `author`. Pure.

trafilatura drops most such boxes itself, but not all: its lists of names are tried on
some tags only (not on <a>, <figcaption>, <article> or <h3>), and it puts back what it
pruned when the rest looks too short. The page's markup is read before trafilatura sees
it; the text it returns is matched against it afterwards, line by line. A line goes only
when it is all inside such an element and nowhere else on the page (a lead repeated in a
teaser stays), and only when the element is small beside the article: a class on a
wrapper of the whole article (`single-post related-...`) says nothing of its lines.

The links say as much: a line whose every word is inside links, one of them to another
page of the same site, is another story's headline or a menu entry (rule `site_link`),
on the same terms. So is a card (a link wrapped around another story's heading and
summary), a list entry of such a link and its date, a line of two or more such links
that <br>s part from the rest of its block, and a table row of them. A source cited by a
link to another site stays, and so do a table's cells and a link within the page.

trafilatura joins a short page's paragraphs into one line, a named box's among them: the
box's words are then cut out of that line, on the same terms (not a `site_link` block's: a
linked term may be a word of a sentence too). And a heading whose section is gone (it ends
the text, or only removed lines part it from the next heading) introduced a box the
extraction or these rules left out: "Related stories", "Participating blogs:" (rule
`orphan_heading`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from lxml import etree
from lxml.html import HtmlElement

from schemas import Removal
from streams.cleaning.text import line_key

#: The words of a class or id that name furniture, with the kind (removal rule) each names.
#: Words, not substrings: "bio" is not "biology", "related" not "relative".
NAMES: dict[str, str] = {
    "related": "related_card",
    "sharedaddy": "share",  # WordPress (Jetpack): its share and like bar
    "button": "page_furniture",  # a control's label: "Print", "Save tip", "Read on"
    "btn": "page_furniture",
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
TAGS: dict[str, str] = {
    "figcaption": "photo_credit",
    "nav": "page_furniture",
    "address": "author_bio",  # the contact of the article's or the page's author
}
#: Elements that are furniture by their microdata (schema.org) property: the page's own
#: statement that they hold its author (a byline, a bio), not the story.
ITEMPROPS: dict[str, str] = {"author": "author_bio"}
#: An element holding more than this share of the article's text is not a box beside it.
MAX_SHARE = 0.3

#: A box is cut out of a line only with this many words at least: a name or a label of one
#: or two words ("Ben Doe", "Share") may as well be the line's own.
MIN_CUT_WORDS = 3

#: The rule of a heading left without its section (see _without_orphan_headings).
ORPHAN_HEADING = "orphan_heading"
#: A heading has at most this many words.
HEADING_WORDS = 12

#: The rule of a line that is a link to another page of the site and nothing else.
SITE_LINK = "site_link"
#: A line inside a block made of this many links to the site and nothing else is a menu.
MENU_LINKS = 2
#: The words of a class or id that name a date, which may stand beside such a link.
DATES = frozenset({"date", "time", "datetime", "published", "pubdate", "timestamp"})

# The elements worth splitting into words: those with a class, id or microdata property,
# and the tags; a name somewhere in the class or id (one regex search each) before the split.
_NAMED = etree.XPath("//*[@class or @id or @itemprop]" + "".join(f" | //{tag}" for tag in TAGS))
_ANY_NAME = re.compile("|".join(NAMES))
# A class or id as words: "TestReport__AuthorBox" is test, report, author, box.
_WORDS = re.compile(r"[^A-Za-z0-9]+|(?<=[a-z])(?=[A-Z])")
_LINKS = etree.XPath("//body//a[@href]")
_ANY_DATE = re.compile("date|time|publish")
# The elements a line of trafilatura's text is made of; a link's nearest one is its block.
_BLOCKS = frozenset(
    {"p", "li", "dt", "dd", "td", "th", "div", "blockquote", "figcaption", "section", "article"}
    | {f"h{level}" for level in range(1, 7)}
)
_CELLS = frozenset({"td", "th"})
_HEADINGS = tuple(f"h{level}" for level in range(1, 7))
# A word of a line, as line_key splits it; the punctuation that ends a box's last word.
_TOKEN = re.compile(r"[^\W_]+")
_TRAILING = ":.,;!?|»«\"' "
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
    original = text.split("\n")
    lines: list[str | None] = list(original)  # None where a removed line was
    removed: list[Removal] = []
    if boxes:
        longest = max(len(words) for words, _ in boxes)
        page: list[str] = []  # the page's words, read once a line is found in a box
        for at, line in enumerate(original):
            # A line longer than every box cannot be in one (its words are shorter than it).
            kind = (
                _furniture(line_key(line), boxes, page, tree)
                if len(line.strip()) < 2 * longest
                else None
            )
            if kind is not None:
                lines[at] = None
                removed.append(Removal(rule=kind, text=line))
        _cut_merged_boxes(lines, boxes, page, tree, removed)
    for at in _orphan_headings(lines, tree):
        removed.append(Removal(rule=ORPHAN_HEADING, text=lines[at] or ""))
        lines[at] = None
    return "\n".join(line for line in lines if line is not None), removed


def _orphan_headings(lines: list[str | None], tree: HtmlElement) -> list[int]:
    """Where the headings whose section is gone are, last first: a heading that ends the
    text, or that only removed lines (None) part from the next heading, introduced a box
    the extraction or our rules left out ("Related stories", "Participating blogs:")."""
    headings: set[str] | None = None
    orphans: list[int] = []
    after: str | None = None  # the next line kept, None at the end of the text
    gone = False  # a line was removed between this one and that one
    for at in range(len(lines) - 1, -1, -1):
        line = lines[at]
        if line is None:
            gone = True
            continue
        if _TOKEN.search(line) is None:
            continue  # a blank line or a table's rule is no part of any section
        if (after is None or gone) and not line.startswith("|"):  # a row's cells may be <th>
            key = line_key(line)
            if key.count(" ") < HEADING_WORDS:
                if headings is None:
                    headings = {_words(h) for h in tree.iter(*_HEADINGS)}
                if key in headings and (after is None or line_key(after) in headings):
                    orphans.append(at)
                    gone = True
                    continue
        after, gone = line, False
    return orphans


def _cut_merged_boxes(
    lines: list[str | None],
    boxes: list[tuple[str, str]],
    page: list[str],
    tree: HtmlElement,
    removed: list[Removal],
) -> None:
    """Cut the whole text of each box out of the lines it was merged into (trafilatura joins
    a short page's paragraphs into one line), when the box's words are nowhere else on the
    page, and it has MIN_CUT_WORDS; each piece cut out goes to `removed`. Not a `site_link`
    block: a linked term may be a word of a sentence too."""
    # A box's longest word, casefolded, is in each line it is merged into: a cheap first test.
    text = "\n".join(line for line in lines if line is not None).casefold()
    probes = [(max(words.split(), key=len), words, kind) for words, kind in boxes]
    merged = [
        box
        for box in probes
        if box[2] != SITE_LINK and box[1].count(" ") > MIN_CUT_WORDS and box[0] in text
    ]
    for at, line in enumerate(lines):
        if merged and line is not None:
            folded = line.casefold()
            inside = [(words, kind) for probe, words, kind in merged if probe in folded]
            if inside:
                lines[at] = _without_boxes(line, inside, page, tree, removed)


def _without_boxes(
    line: str,
    boxes: list[tuple[str, str]],
    page: list[str],
    tree: HtmlElement,
    removed: list[Removal],
) -> str:
    key = f" {line_key(line)} "
    for words, kind in boxes:
        if len(words) >= len(key) or words not in key:
            continue
        if _furniture(words.strip(), [(words, kind)], page, tree) is None:
            continue
        tokens = list(_TOKEN.finditer(line))
        keys = [t.group().casefold() for t in tokens]
        wanted = words.split()
        for i in range(len(keys) - len(wanted) + 1):
            if keys[i : i + len(wanted)] == wanted:
                start, end = tokens[i].start(), tokens[i + len(wanted) - 1].end()
                end += len(line[end:]) - len(line[end:].lstrip(_TRAILING))
                removed.append(Removal(rule=kind, text=line[start:end].strip()))
                line = (line[:start].rstrip() + " " + line[end:].lstrip()).strip()
                key = f" {line_key(line)} "
                break
    return line


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
    """The words of each block (paragraph, list item, heading, a link wrapped around a
    heading, ...) whose every word is inside links, one of them to another page of the
    site (`host`): another story's headline or card, a menu entry. A link elsewhere (a
    source, a document) or within the page leaves its block alone, and so does a table's
    cell (a table of links is data), but not a row of links to the site (a menu laid out
    as a table). Only links whose words are in the `text` are looked at (most of a page's
    are gone from it)."""
    blocks: list[tuple[str, str]] = []
    seen: set[HtmlElement] = set()
    for link in _LINKS(tree):
        if not _in_text(link, text) or not _to_the_site(link.get("href", "").strip(), host):
            continue
        for block in _blocks_around(link):
            if block in seen or block.tag in _CELLS:
                continue
            seen.add(block)
            if block.tag == "tr" and _site_links_in(block, host) < MENU_LINKS:
                continue  # a row with one link is a data table's entry
            words = _words(block)
            if words and words == line_key(" ".join(_linked_texts(block))):
                blocks.append((f" {words} ", SITE_LINK))
                break
            blocks += [(f" {words} ", SITE_LINK) for words in _menu_lines(block, host)]
    return blocks


@dataclass
class _Line:
    """A line of a block, as _menu_lines reads it: its texts, those inside links or dates,
    and how many links to the site it holds."""

    texts: list[str] = field(default_factory=list)
    linked: list[str] = field(default_factory=list)
    links: int = 0

    def add(self, text: str | None, linked: bool) -> None:
        if text:
            self.texts.append(text)
            if linked:
                self.linked.append(text)

    def menu(self) -> str:
        """The line's words when it is MENU_LINKS or more links to the site (and their
        separators, dates) and nothing else; "" otherwise."""
        words = line_key(" ".join(self.texts))
        linked = self.links >= MENU_LINKS and words == line_key(" ".join(self.linked))
        return words if linked else ""


def _menu_lines(block: HtmlElement, host: str) -> list[str]:
    """The words of each line of the block (its lines part at <br> and at the blocks in
    it) made of MENU_LINKS or more links to pages of the site and nothing else but
    separators: "Press kit | RSS feed" below a press release."""
    if block.find(".//br") is None:
        return []
    lines = [_Line()]
    _read_lines(block, lines, host, linked=False)
    return [words for line in lines if (words := line.menu())]


def _read_lines(element: HtmlElement, lines: list[_Line], host: str, linked: bool) -> None:
    # Each text goes to the line being read, marked when it is inside a link or a date.
    if element.tag == "br" or element.tag in _BLOCKS:
        lines.append(_Line())
    if element.tag == "a" and element.get("href"):
        lines[-1].links += _worded_site_link(element, host)
        linked = True
    linked = linked or _is_date(element)
    lines[-1].add(element.text, linked)
    for child in element:
        if isinstance(child.tag, str):
            _read_lines(child, lines, host, linked)
        lines[-1].add(child.tail, linked)
    if element.tag in _BLOCKS:
        lines.append(_Line())


def _linked_texts(element: HtmlElement) -> list[str]:
    """The texts of the element's links and dates, in page order: a date beside a link
    ("Ferry fares rise again, 4 May 2026") is another story's date, not a sentence's word."""
    if (element.tag == "a" and element.get("href")) or _is_date(element):
        return list(element.itertext())
    return [
        text for child in element if isinstance(child.tag, str) for text in _linked_texts(child)
    ]


def _is_date(element: HtmlElement) -> bool:
    """A <time>, or an element whose class or id names a date ("event_date", "pubTime")."""
    if element.tag == "time":
        return True
    names = f"{element.get('class') or ''} {element.get('id') or ''}"
    return _ANY_DATE.search(names.lower()) is not None and not DATES.isdisjoint(class_words(names))


def _site_links_in(element: HtmlElement, host: str) -> int:
    return sum(_worded_site_link(a, host) for a in element.iter("a"))


def _worded_site_link(element: HtmlElement, host: str) -> bool:
    """A link with words (not an icon's or a picture's) to another page of the site."""
    href = element.get("href", "").strip()
    return (
        bool(href)
        and _to_the_site(href, host)
        and _TOKEN.search(element.text_content()) is not None
    )


def _in_text(link: HtmlElement, text: str) -> bool:
    """Whether each of the link's texts is in `text` (a card's heading and summary are two
    lines there)."""
    pieces = [" ".join(piece.split()) for piece in link.itertext() if not piece.isspace()]
    return bool(pieces) and all(piece in text for piece in pieces)


def _blocks_around(link: HtmlElement) -> list[HtmlElement]:
    """The link's block (its nearest block ancestor; for a table's cell, its row too),
    then the link itself when it is wrapped around a heading or a paragraph: a card
    (another story's headline, perhaps with its summary) whose block holds more than the
    card, its date or its picture."""
    block = next((a for a in link.iterancestors() if a.tag in _BLOCKS), None)
    around = [] if block is None else [block]
    if block is not None and block.tag in _CELLS:
        row = block.getparent()
        around += [row] if row is not None and row.tag == "tr" else []
    if any(element.tag in _BLOCKS for element in link.iterdescendants()):
        around.append(link)
    return around


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
    for prop in (element.get("itemprop") or "").split():
        if (kind := ITEMPROPS.get(prop)) is not None:
            return kind
    if not _ANY_NAME.search(f"{element.get('class')} {element.get('id')}".lower()):
        return None
    for attribute in ("class", "id"):
        for word in class_words(element.get(attribute) or ""):
            if (kind := NAMES.get(word)) is not None:
                return kind
    return None


def class_words(names: str) -> list[str]:
    """A class or id attribute's words, lowercased, in order: "TestReport__AuthorBox" is
    test, report, author, box."""
    return [word.lower() for word in _WORDS.split(names)]


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
