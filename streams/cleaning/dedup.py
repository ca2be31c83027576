"""Exact duplicates: the same article seen again within a window is dropped. Pure.

"The same article" is the same canonical URL when the page or the publisher gave one (a
re-delivery by a feed poller, the same page behind two tracking links), else the same
words (a text re-sent with other whitespace, quotes or boilerplate). What was seen, and
when, is kept in fixed-size digests (streams/cleaning/seen.py).

The raw topic is keyed by article id, which is not this key, so the worker re-keys the
cleaned article by `dedup_key` through an internal topic before the rule runs: every
sighting of a key then reaches the one partition (and table shard) that owns it.
"""

from __future__ import annotations

import hashlib

from courlan import normalize_url

from schemas import CleanArticle
from streams.cleaning.text import fingerprint


def dedup_key(article: CleanArticle) -> str:
    """ "u…" for a canonical URL, "t…" for the words of the text; short, fixed length."""
    if article.canonical_url:
        return "u" + _digest(url_identity(article.canonical_url))
    return "t" + fingerprint(article.text)


def canonical_url(url: str | None) -> str | None:
    """The URL without tracking parameters and fragment, host lower-cased; None if no URL."""
    if not url or not url.strip():
        return None
    try:
        return normalize_url(url.strip(), strict=True)
    except (ValueError, TypeError):
        return url.strip()


def url_identity(url: str) -> str:
    """What two URLs of one page share: no scheme, no "www.", no trailing slash."""
    identity = (canonical_url(url) or url).split("://", 1)[-1]
    return identity.removeprefix("www.").rstrip("/")


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]
