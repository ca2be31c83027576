"""RSS and Atom feeds: entries to RawArticles, which of them are new, when to poll next. Pure.

The poller (streams/sources/poller.py) does the I/O; everything it decides is here, with
the day (`today`) and the random draw (`jitter`) passed in, so it is testable with values.
"""

from __future__ import annotations

import io
import re
from collections.abc import Container, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

import feedparser
from pydantic import BaseModel, Field

from schemas import RawArticle
from schemas.common import short_hash
from streams.rejection import Rejected

#: How many entry ids one feed's state keeps at most (its record stays well under 1 MB).
MAX_SEEN_PER_FEED = 5000
#: A Retry-After longer than this is not believed (a misconfigured server, not a policy).
MAX_RETRY_AFTER_S = 86400.0
#: A complete feed document ends with its root element's end tag.
_CLOSING_TAG = re.compile(rb"</\s*(?:[\w-]+:)?(?:rss|feed|rdf)\s*>\s*$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class FeedSpec:
    """A feed to poll: its URL and, if it has its own, its polling interval in seconds."""

    url: str
    interval: float | None = None


class FeedState(BaseModel, frozen=True):
    """What the poller remembers about a feed across restarts: HTTP validators and seen ids.

    `seen` maps each entry's article id to the last day the entry was in the feed; an
    entry absent for long enough is forgotten, which keeps the state bounded.
    """

    url: str
    etag: str | None = None
    last_modified: str | None = None
    seen: dict[str, date] = Field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    """A feed document's articles, in document order, and its own polling hint."""

    title: str
    articles: list[RawArticle]
    ttl_seconds: float | None = None


def conditional_headers(state: FeedState) -> dict[str, str]:
    """If-None-Match / If-Modified-Since from the last 200, so an unchanged feed costs a 304."""
    headers = {}
    if state.etag:
        headers["If-None-Match"] = state.etag
    if state.last_modified:
        headers["If-Modified-Since"] = state.last_modified
    return headers


def with_validators(state: FeedState, etag: str | None, last_modified: str | None) -> FeedState:
    """The validators of the latest 200 replace the old ones (a server may drop either)."""
    return state.model_copy(update={"etag": etag, "last_modified": last_modified})


def parse_feed(data: bytes, url: str, content_type: str | None = None) -> ParsedFeed | Rejected:
    """Parse RSS or Atom bytes; a document that is not a feed, or is cut short, is rejected.

    A complete document with small XML errors (a stray "&") is read leniently, as feed
    readers do; a truncated one is not, since its last entry would be published cut short
    and then never again (its id is seen from then on).
    """
    headers = {"content-location": url, "content-type": content_type or "application/xml"}
    parsed = feedparser.parse(io.BytesIO(data), response_headers=headers)
    if not parsed.get("version"):
        return Rejected("malformed", f"not an RSS or Atom feed: {_bozo_detail(parsed)}")
    if _hard_error(parsed) and not _CLOSING_TAG.search(data[-256:]):
        return Rejected("malformed", f"incomplete feed document: {_bozo_detail(parsed)}")
    feed = parsed.get("feed", {})
    source = str(feed.get("title") or urlsplit(url).hostname or url).strip()
    articles = [entry_article(entry, url, source) for entry in parsed.get("entries", [])]
    return ParsedFeed(source, articles, _ttl_seconds(feed.get("ttl")))


def _hard_error(parsed: Any) -> bool:
    """A bozo flag for broken XML; encoding and content-type complaints do not count."""
    error = parsed.get("bozo_exception")
    return bool(parsed.get("bozo")) and not isinstance(
        error, feedparser.ThingsNobodyCaresAboutButMe
    )


def _bozo_detail(parsed: Any) -> str:
    error = parsed.get("bozo_exception")
    return f"{type(error).__name__}: {error}"[:200] if error else "no feed element"


def _ttl_seconds(value: Any) -> float | None:
    """RSS <ttl> is in minutes; anything unparsable is ignored."""
    try:
        minutes = float(value)
    except (TypeError, ValueError):
        return None
    return minutes * 60 if minutes > 0 else None


def entry_article(entry: Mapping[str, Any], feed_url: str, source: str) -> RawArticle:
    """One entry as a RawArticle: id from its link, else its guid, else its content."""
    link = entry.get("link")
    url = link if isinstance(link, str) and link.startswith(("http://", "https://")) else None
    guid = entry.get("id")
    article_id = "g" + short_hash(feed_url, guid) if not url and guid else ""
    body, is_html = _entry_body(entry)
    return RawArticle(
        id=article_id,
        title=str(entry.get("title") or "").strip(),
        html=body if is_html else None,
        text=None if is_html else body,
        url=url,
        source=source,
        published=_entry_time(entry),
    )


def _entry_body(entry: Mapping[str, Any]) -> tuple[str, bool]:
    """The fullest body the entry has (content:encoded / Atom content over the summary)."""
    for content in entry.get("content") or []:
        if content.get("value"):
            return str(content["value"]), "html" in str(content.get("type", "html"))
    detail = entry.get("summary_detail") or {}
    return str(entry.get("summary") or ""), "html" in str(detail.get("type", "text/html"))


def _entry_time(entry: Mapping[str, Any]) -> datetime | None:
    """feedparser normalises dates to UTC struct_time; published first, else updated."""
    parts = entry.get("published_parsed") or entry.get("updated_parsed")
    if not parts:
        return None
    try:
        year, month, day, hour, minute, second = (int(part) for part in parts[:6])
        return datetime(year, month, day, hour, minute, second, tzinfo=UTC)
    except (TypeError, ValueError):
        return None


def take_new(
    state: FeedState,
    articles: Iterable[RawArticle],
    today: date,
    forget_after_days: int,
    seen_elsewhere: Container[str] = frozenset(),
) -> tuple[FeedState, list[RawArticle]]:
    """(state, fetched articles) -> (state, articles to publish): each id once, ever.

    An entry repeated inside the document, already seen in an earlier poll, or seen in
    another feed (`seen_elsewhere`: outlets list one story in several feeds) is not
    returned. Every id in the document is marked seen today; ids absent for longer than
    `forget_after_days` are forgotten, and at most MAX_SEEN_PER_FEED are kept.
    """
    new: dict[str, RawArticle] = {}
    seen = dict(state.seen)
    for article in articles:
        fresh = article.id not in seen and article.id not in seen_elsewhere
        if fresh and article.id not in new:
            new[article.id] = article
        seen[article.id] = today
    return state.model_copy(update={"seen": _forget(seen, today, forget_after_days)}), list(
        new.values()
    )


def _forget(seen: dict[str, date], today: date, forget_after_days: int) -> dict[str, date]:
    oldest = today - timedelta(days=forget_after_days)
    kept = {key: day for key, day in seen.items() if day >= oldest}
    if len(kept) > MAX_SEEN_PER_FEED:
        newest = sorted(kept.items(), key=lambda item: item[1], reverse=True)
        kept = dict(newest[:MAX_SEEN_PER_FEED])
    return kept


def next_delay(
    interval: float,
    failures: int,
    jitter: float,
    max_backoff: float,
    retry_after: float | None = None,
    ttl: float | None = None,
) -> float:
    """Seconds until the next poll of a feed.

    After a success: the feed's interval (or its own <ttl>, if longer), spread by +-10% so
    that many feeds do not fall into step. After `failures` errors in a row: exponential
    backoff from the interval, capped at `max_backoff`, with "equal jitter" (half fixed,
    half random, `jitter` in [0, 1)), and never sooner than a server's Retry-After.
    """
    if failures <= 0:
        return max(interval, ttl or 0.0) * (0.9 + 0.2 * jitter)
    base = min(max_backoff, interval * 2.0**failures)
    delay = base / 2 + base / 2 * jitter
    if retry_after is not None:
        delay = max(delay, min(retry_after, MAX_RETRY_AFTER_S))
    return delay


def retry_after_seconds(value: str | None, now: datetime) -> float | None:
    """Retry-After as seconds: either a number of seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())
