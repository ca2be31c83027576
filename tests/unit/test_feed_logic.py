"""The feed poller's pure decisions: parsing, what is new, when next, OPML, robots rules."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from schemas import RawArticle
from streams.rejection import Rejected
from streams.sources.feeds import (
    MAX_SEEN_PER_FEED,
    FeedSpec,
    FeedState,
    ParsedFeed,
    conditional_headers,
    next_delay,
    parse_feed,
    retry_after_seconds,
    take_new,
    with_validators,
)
from streams.sources.opml import parse_opml
from streams.sources.robots import rules_from_response

FEEDS = Path(__file__).parents[1] / "fixtures" / "feeds"
BASE = "http://127.0.0.1:9/"
TODAY = date(2026, 2, 2)


def _parsed(name: str) -> ParsedFeed:
    parsed = parse_feed((FEEDS / name).read_bytes(), BASE + name)
    assert isinstance(parsed, ParsedFeed), parsed
    return parsed


def test_rss_items_become_articles_with_body_date_source_and_url_ids():
    feed = _parsed("rss.xml")
    first, second, third = feed.articles
    assert feed.title == "Harbour Gazette" and first.source == "Harbour Gazette"
    assert first.url == "http://feeds.invalid/news/ferry-timetable"
    assert first.id == RawArticle(url=first.url).id  # the URL-derived id every source uses
    assert "survey of commuters" in first.html  # content:encoded preferred over description
    assert first.published == datetime(2026, 2, 2, 7, 15, tzinfo=UTC)  # +0100 converted
    assert second.html == "Visitors can climb the tower again from Saturday."
    assert third.url == "http://127.0.0.1:9/news/fish-market"  # relative link resolved
    assert feed.ttl_seconds == 60.0


def test_atom_entries_use_content_and_fall_back_to_a_guid_id_without_link():
    blossom, bridge = _parsed("atom.xml").articles
    assert blossom.url == "http://feeds.invalid/valley/blossom"
    assert "late frost" in blossom.html
    assert blossom.published == datetime(2026, 2, 2, 7, 30, tzinfo=UTC)
    assert bridge.url is None and bridge.id.startswith("g")
    assert bridge.text == "The bridge will link the two halves of the market square."
    assert bridge.published == datetime(2026, 2, 1, 12, tzinfo=UTC)  # updated, no published


@pytest.mark.parametrize(
    ("name", "detail"),
    [("malformed.xml", "incomplete feed document"), ("not-a-feed.html", "not an RSS or Atom")],
)
def test_a_truncated_document_or_a_web_page_is_malformed(name, detail):
    rejected = parse_feed((FEEDS / name).read_bytes(), BASE + name)
    assert isinstance(rejected, Rejected) and rejected.reason == "malformed"
    assert detail in rejected.detail


def test_a_complete_feed_with_a_stray_ampersand_is_read_leniently():
    (article,) = _parsed("stray-ampersand.xml").articles
    assert article.title == "Farmers & bakers share the Saturday market"


def _article(n: int) -> RawArticle:
    return RawArticle(url=f"http://feeds.invalid/{n}", title=f"t{n}")


def test_repeated_entries_and_entries_seen_before_are_not_new():
    state = FeedState(url="u")
    state, new = take_new(state, [_article(1), _article(2), _article(1)], TODAY, 90)
    assert [a.title for a in new] == ["t1", "t2"]
    state, new = take_new(state, [_article(3), _article(2), _article(1)], TODAY, 90)
    assert [a.title for a in new] == ["t3"]
    assert set(state.seen) == {_article(n).id for n in (1, 2, 3)}


def test_an_entry_another_feed_already_published_is_not_new_but_is_remembered():
    elsewhere = {_article(1).id}
    state, new = take_new(FeedState(url="u"), [_article(1), _article(2)], TODAY, 90, elsewhere)
    assert [a.title for a in new] == ["t2"] and _article(1).id in state.seen


def test_entries_absent_long_enough_are_forgotten_and_present_ones_kept():
    old = TODAY - timedelta(days=91)
    state = FeedState(url="u", seen={_article(1).id: old, _article(2).id: old})
    state, new = take_new(state, [_article(2)], TODAY, 90)
    assert new == [] and state.seen == {_article(2).id: TODAY}


def test_the_seen_set_is_capped_keeping_the_most_recent():
    day = TODAY - timedelta(days=1)
    state = FeedState(url="u", seen={f"x{n}": day for n in range(MAX_SEEN_PER_FEED)})
    state, _ = take_new(state, [_article(1)], TODAY, 90)
    assert len(state.seen) == MAX_SEEN_PER_FEED and state.seen[_article(1).id] == TODAY


def test_state_round_trips_through_json():
    state = FeedState(url="u", etag='"v1"', seen={"a": TODAY})
    assert FeedState.model_validate_json(state.model_dump_json()) == state


def test_validators_of_the_last_200_make_the_next_request_conditional():
    state = with_validators(FeedState(url="u"), '"v1"', "Mon, 02 Feb 2026 08:00:00 GMT")
    assert conditional_headers(state) == {
        "If-None-Match": '"v1"',
        "If-Modified-Since": "Mon, 02 Feb 2026 08:00:00 GMT",
    }
    assert conditional_headers(FeedState(url="u")) == {}


@pytest.mark.parametrize(
    ("failures", "jitter", "retry_after", "ttl", "expected"),
    [
        (0, 0.5, None, None, 600.0),  # the interval
        (0, 0.0, None, None, 540.0),  # -10%
        (0, 0.999999, None, None, 660.0),  # +10%
        (0, 0.5, None, 1800.0, 1800.0),  # the feed's own <ttl> is longer
        (1, 0.0, None, None, 600.0),  # equal jitter: half of 2 x interval ...
        (1, 0.999999, None, None, 1200.0),  # ... up to all of it
        (5, 0.5, None, None, 3600.0),  # 32 x 600 capped at 4800; jitter: 3/4 of that
        (1, 0.0, 7200.0, None, 7200.0),  # Retry-After is respected
        (1, 0.0, 10**9, None, 86400.0),  # ... within reason
    ],
)
def test_next_delay(failures, jitter, retry_after, ttl, expected):
    delay = next_delay(600.0, failures, jitter, 3600.0 * 4 / 3, retry_after=retry_after, ttl=ttl)
    assert delay == pytest.approx(expected, rel=1e-4)


def test_retry_after_is_seconds_or_an_http_date():
    now = datetime(2026, 2, 2, 8, 0, tzinfo=UTC)
    assert retry_after_seconds("120", now) == 120.0
    assert retry_after_seconds("Mon, 02 Feb 2026 08:05:00 GMT", now) == 300.0
    assert retry_after_seconds("soon", now) is None and retry_after_seconds(None, now) is None


def test_opml_feeds_at_any_depth_with_their_own_interval():
    data = (FEEDS / "feeds.opml").read_bytes()
    assert parse_opml(data) == [
        FeedSpec("http://feeds.invalid/rss.xml"),
        FeedSpec("http://feeds.invalid/repeats.xml", 120.0),
        FeedSpec("http://feeds.invalid/atom.xml"),
    ]


@pytest.mark.parametrize("data", [b"<opml><body>", b"<rss version='2.0'/>"])
def test_what_is_not_opml_is_rejected(data):
    assert isinstance(parse_opml(data), Rejected)


@pytest.mark.parametrize(
    ("status", "private", "public"),
    [(200, False, True), (404, True, True), (503, False, False), (None, False, False)],
)
def test_robots_rules_follow_rfc_9309(status, private, public):
    rules = rules_from_response(status, (FEEDS / "robots.txt").read_bytes())
    agent = "newsradar/0.1 (test)"
    assert rules.can_fetch(agent, "http://h/private/a.html") is private
    assert rules.can_fetch(agent, "http://h/pages/a.html") is public
