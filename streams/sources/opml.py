"""OPML feed lists (what feed readers export) to FeedSpecs. Pure.

Every `<outline>` with an `xmlUrl`, at any depth, is a feed; folders are just nesting. An
outline may carry its own polling interval in seconds as an `interval` attribute (OPML
allows extra attributes; readers that do not know it ignore it).
"""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree

from streams.rejection import Rejected
from streams.sources.feeds import FeedSpec


def parse_opml(data: bytes) -> list[FeedSpec] | Rejected:
    """The feeds in an OPML document, in document order, each URL once."""
    try:
        root = ElementTree.fromstring(data)
    except ElementTree.ParseError as error:
        return Rejected("malformed", f"not an OPML document: {error}")
    if root.tag.lower() != "opml":
        return Rejected("malformed", f"the root element is <{root.tag}>, not <opml>")
    specs: dict[str, FeedSpec] = {}
    for outline in root.iter("outline"):
        url = (outline.get("xmlUrl") or outline.get("xmlurl") or "").strip()
        if url.startswith(("http://", "https://")) and url not in specs:
            specs[url] = FeedSpec(url, _interval(outline.get("interval")))
    return list(specs.values())


def _interval(value: str | None) -> float | None:
    try:
        seconds = float(value) if value else None
    except ValueError:
        return None
    return seconds if seconds and seconds > 0 else None
