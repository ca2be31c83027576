"""An HTML page (or a feed's HTML fragment) to its main text and metadata, with trafilatura.

trafilatura finds the article among menus, share bars, cookie notices, newsletter boxes,
related lists, comments and footers. Its `fast` mode skips the comparison with other
extractors: about twice as fast at the same quality on news pages. Metadata comes from
trafilatura's own readers (meta tags, JSON-LD, canonical link) and htmldate, but only the
ones we keep: its full metadata pass also reads categories, tags and the license, and
searches the body for a byline when the meta tags name no author; together they cost as
much again as the extraction's last stage. News pages name their authors in meta tags or
JSON-LD.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime

from htmldate import find_date
from lxml import etree
from lxml.html import HtmlElement, fromstring
from trafilatura import bare_extraction
from trafilatura.metadata import (
    examine_meta,
    extract_meta_json,
    extract_title,
    extract_url,
)
from trafilatura.settings import Document
from trafilatura.utils import HTML_PARSER

from schemas import Removal
from streams.budget import UNLIMITED, Budget
from streams.cleaning.lead import with_lead
from streams.cleaning.structure import host_of, without_named_furniture
from streams.rejection import Rejected

# Both log a warning per page they find nothing in; the clean stage reports that itself.
logging.getLogger("trafilatura").setLevel(logging.ERROR)
logging.getLogger("htmldate").setLevel(logging.ERROR)

# A whole document starts with these within its first bytes; anything else is a fragment.
_DOCUMENT = re.compile(r"<(?:!doctype|html|head|body)\b", re.IGNORECASE)
# Elements trafilatura deletes before extracting anyway (from its MANUALLY_CLEANED list, but
# not <time> or <link>, which the metadata readers use): gone from the raw tree first, the
# metadata readers' and trafilatura's many tree copies and XPath passes have less to walk.
_NEVER_TEXT = (
    "footer",
    "aside",
    "menu",
    "menuitem",
    "style",
    "template",
    "svg",
    "iframe",
    "frame",
    "frameset",
    "fencedframe",
    "embed",
    "object",
    "applet",
    "param",
    "canvas",
    "picture",
    "video",
    "audio",
    "source",
    "track",
    "map",
    "area",
    "button",
    "select",
    "option",
    "optgroup",
    "datalist",
    "textarea",
    "input",
    "label",
    "fieldset",
    "legend",
    "output",
    "progress",
    "dialog",
    "noindex",
    "marquee",
    "blink",
)
# Control characters libxml2 refuses (all but tab, newline and carriage return); it refuses
# the non-characters U+FFFE and U+FFFF too.
_CONTROL_BYTES = bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20)])
# A doctype with a slash (XHTML) trips libxml2 up; trafilatura removes it, so do we. Its own
# pattern ends in `/[^<>]*>`, which backtracks quadratically over a first line of slashes
# (20 kB of them: 6 s); `/[^<>/]*>` matches the same doctypes (at the last slash) in linear time.
_XHTML_DOCTYPE = re.compile(r"^< ?! ?DOCTYPE[^>]*/[^<>/]*>", re.IGNORECASE)
_SELF_CLOSED_HTML = re.compile(r"(<html.*?)\s*/>", re.IGNORECASE)
# A <nav> or <noscript> goes too, unless it holds paragraphs: a few sites keep their article
# there, and trafilatura's last resort reads it (it deletes them itself otherwise).
_LINKS_ONLY = etree.XPath("//nav[not(.//p)] | //noscript[not(.//p)]")
# Scripts go too, except the JSON ones: trafilatura's last resort reads articleBody there.
_JSON_SCRIPT = re.compile(r"json", re.IGNORECASE)
#: A page with more elements, or elements nested deeper, is refused (reason `too_complex`)
#: before trafilatura reads it: none of its steps can be interrupted, and their cost grows
#: with the elements and their depth (bench/hostile.py: 160,805 elements nested 200 deep took
#: 12 s of CPU, 32,000 one-line paragraphs 9 s). The 889 real pages of
#: ../shared/data/html-pages have at most 10,106 elements and 42 levels (median 686 and 16);
#: the caps are twice and three times that. At the caps a page costs about 1 s.
MAX_ELEMENTS = 20_000
MAX_DEPTH = 128
_COUNT = etree.XPath("count(//*)")
# True when some element has MAX_DEPTH ancestors: one child step per level, linear in the page.
_TOO_DEEP = etree.XPath("boolean(" + "/*" * (MAX_DEPTH + 1) + ")")


@dataclass(frozen=True, slots=True)
class Page:
    """What a page says about itself, its main text (one paragraph per line), and the
    lines of furniture its markup names, removed from the text (`structure`)."""

    text: str
    title: str = ""
    author: str | None = None
    canonical_url: str | None = None
    published: datetime | None = None
    language: str | None = None
    removed: tuple[Removal, ...] = ()


def extract_page(
    markup: str, *, url: str | None, today: date, budget: Budget = UNLIMITED
) -> Page | Rejected:
    """The page's main text and metadata; `today` bounds the publication dates believed.

    The budget is asked between the steps (none of them can be interrupted): a page that
    has already cost too much is given up before the next one.
    """
    tree = _parse(markup)
    if tree is None:
        return Page(text="")
    if (refused := too_complex(tree)) is not None:
        return refused
    _drop_never_text(tree)
    if (late := budget.over("parsing the page")) is not None:
        return late
    page = _metadata(tree, url, today)
    if (late := budget.over("reading the page's metadata")) is not None:
        return late
    document = bare_extraction(tree, url=url, fast=True, include_comments=False)
    text = (document.text or "") if isinstance(document, Document) else ""
    text = with_lead(tree, text, page.title)
    text, removed = without_named_furniture(tree, text, host_of(url or page.canonical_url or ""))
    return Page(
        text=text,
        title=page.title,
        author=page.author,
        canonical_url=page.canonical_url,
        published=page.published,
        language=page.language,
        removed=tuple(removed),
    )


def _parse(markup: str) -> HtmlElement | None:
    """A tree of the page; a fragment (a feed's <p>s, one <div>) is wrapped as a document.

    The repairs trafilatura's loader makes, made cheaper: it scans the whole page with a
    regex for the control characters libxml2 refuses; bytes.translate does that in C.
    """
    if not _DOCUMENT.search(markup, 0, 2048):
        markup = f"<html><body>{markup}</body></html>"
    markup = _repaired_start(markup)
    data = markup.encode("utf-8", "replace").translate(None, _CONTROL_BYTES)
    data = data.replace(b"\xef\xbf\xbe", b"").replace(b"\xef\xbf\xbf", b"")  # U+FFFE, U+FFFF
    try:
        tree = fromstring(data, parser=HTML_PARSER)
    except (ValueError, TypeError, etree.LxmlError):
        return None
    return tree if isinstance(tree, HtmlElement) and len(tree) else None


def too_complex(tree: HtmlElement) -> Rejected | None:
    """Refuse a page no real article needs: more than MAX_ELEMENTS elements, or deeper than
    MAX_DEPTH levels (about 1 ms on the largest real page)."""
    elements = int(_COUNT(tree))
    if elements > MAX_ELEMENTS:
        return Rejected("too_complex", f"{elements:,} elements, more than {MAX_ELEMENTS:,}")
    if _TOO_DEEP(tree.getroottree()):
        return Rejected("too_complex", f"elements nested more than {MAX_DEPTH} levels deep")
    return None


def _repaired_start(markup: str) -> str:
    """What trafilatura repairs for libxml2: an XHTML doctype, an <html .../> closed early."""
    if "doctype" in markup[:50].lower():
        first, newline, rest = markup.partition("\n")
        markup = _XHTML_DOCTYPE.sub("", first, count=1) + newline + rest
    for line in markup[:4096].splitlines()[:4]:
        if "<html" in line and line.endswith("/>"):
            # Repaired in that line only: over the whole page, each "<html" of an earlier line
            # scans to that line's end (4 kB of them: 0.2 s).
            return markup.replace(line, _SELF_CLOSED_HTML.sub(r"\1>", line, count=1), 1)
    return markup


def _metadata(tree: HtmlElement, url: str | None, today: date) -> Page:
    meta = examine_meta(tree)
    if meta.author and " " not in meta.author.strip():
        meta.author = None  # a one-word "author" is a site or a handle, as trafilatura judges
    if not (meta.title and meta.author):
        meta = extract_meta_json(tree, meta)  # JSON-LD: only when the meta tags fell short
    canonical = extract_url(tree) or meta.url or None
    found = find_date(
        tree, extensive_search=False, original_date=True, max_date=today.isoformat(), url=canonical
    )
    return Page(
        text="",
        title=meta.title or extract_title(tree) or "",
        author=meta.author,
        canonical_url=canonical,
        published=_midnight_utc(found),
        language=_declared_language(tree),
    )


def _drop_never_text(tree: HtmlElement) -> None:
    etree.strip_elements(tree, *_NEVER_TEXT, with_tail=False)
    for element in _LINKS_ONLY(tree):
        element.drop_tree()
    for script in list(tree.iter("script")):
        if not _JSON_SCRIPT.search(script.get("type") or ""):
            script.drop_tree()


def _midnight_utc(found: str | None) -> datetime | None:
    try:
        day = date.fromisoformat(found) if found else None
    except ValueError:
        return None
    return datetime(day.year, day.month, day.day, tzinfo=UTC) if day else None


def _declared_language(tree: HtmlElement) -> str | None:
    """The primary subtag of <html lang>, e.g. "de" for "de-AT"; pages often declare wrongly."""
    declared = tree.get("lang") or tree.get("{http://www.w3.org/XML/1998/namespace}lang") or ""
    primary = declared.strip().split("-")[0].split("_")[0].lower()
    return primary if primary.isalpha() and 2 <= len(primary) <= 3 else None
