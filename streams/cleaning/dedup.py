"""Exact duplicates: the same article seen again within a window is dropped. Pure.

"The same article" is the same canonical URL when the page or the publisher gave one (a
re-delivery by a feed poller, the same page behind two tracking links), else the same
words (a text re-sent with other whitespace, quotes or boilerplate). The rule is
`(state, sighting) -> (state, verdict)` on one key's state, so the worker keeps the state
in a Faust table and `newsradar process` in a dict, with the same function.

The raw topic is keyed by article id, which is not this key, so the worker re-keys the
cleaned article by `dedup_key` through an internal topic before the rule runs: every
sighting of a key then reaches the one partition (and table shard) that owns it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from courlan import normalize_url

from schemas import CleanArticle
from streams.cleaning.text import fingerprint


@dataclass(frozen=True, slots=True)
class Seen:
    """One key's state: the first article seen with it, and when it was last seen.

    `origin` names the record that passed first (in the worker, its raw record's partition and
    offset); the same record delivered again after a crash is that first sighting, not a
    duplicate.
    """

    article_id: str
    last_seen: float  # seconds since the epoch
    origin: str = ""


def dedup_key(article: CleanArticle) -> str:
    """ "u…" for a canonical URL, "t…" for the words of the text; short, fixed length."""
    if article.canonical_url:
        return "u" + _digest(url_identity(article.canonical_url))
    return "t" + fingerprint(article.text)


def remember(
    seen: Seen | None, article_id: str, *, now: float, window: float, origin: str = ""
) -> tuple[Seen, Seen | None]:
    """(state to keep, the earlier sighting this one duplicates, or None when it is new).

    The window slides: a feed that re-delivers the same item every few minutes keeps it
    suppressed for as long as it does. `window` 0 turns the rule off. A redelivery of the
    record that passed first (same non-empty `origin`) passes again: at-least-once delivery
    must not turn a crash between "remembered" and "committed" into a lost article.
    """
    if seen is not None and origin and seen.origin == origin:
        return seen, None
    if seen is not None and window > 0 and abs(now - seen.last_seen) <= window:
        return Seen(seen.article_id, max(now, seen.last_seen), seen.origin), seen
    return Seen(article_id, now, origin), None


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
