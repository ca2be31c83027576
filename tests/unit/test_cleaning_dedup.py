"""Exact duplicates: the key, the (state, sighting) -> (state, verdict) rule, in `process`."""

from datetime import UTC, datetime, timedelta

import pytest

from schemas import CleanArticle, RawArticle
from streams.cleaning.dedup import Seen, canonical_url, dedup_key, remember, url_identity
from streams.cleaning.logic import Dropped, deduplicate
from streams.pipeline import CleanState

NOW = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
BODY = (
    "The harbour authority confirmed on Tuesday that the northern ferry terminal will reopen "
    "next month after repairs to the storm-damaged pier were completed ahead of schedule."
)
DAY = 86_400.0


def _article(article_id: str = "a1", text: str = BODY, url: str | None = None) -> CleanArticle:
    return CleanArticle(id=article_id, title="Terminal reopens", text=text, canonical_url=url)


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("https://news.example/a/1", "http://www.news.example/a/1/"),
        ("https://news.example/a/1?utm_source=rss&utm_medium=feed", "https://NEWS.example/a/1#top"),
        ("https://news.example/a/1?fbclid=xyz", "https://news.example/a/1"),
    ],
)
def test_one_page_behind_different_links_has_one_key(first, second):
    assert dedup_key(_article(url=first)) == dedup_key(_article(url=second))


def test_different_pages_and_different_texts_have_different_keys():
    assert dedup_key(_article(url="https://news.example/a/1")) != dedup_key(
        _article(url="https://news.example/a/2")
    )
    assert dedup_key(_article(text=BODY)) != dedup_key(_article(text=BODY + " Updated."))


def test_without_a_url_the_words_are_the_key():
    same_words = BODY.upper().replace(",", " ,")
    assert dedup_key(_article(text=BODY)) == dedup_key(_article("a2", text=same_words))
    assert dedup_key(_article(text=BODY)).startswith("t")
    assert dedup_key(_article(url="https://news.example/a")).startswith("u")


def test_url_helpers():
    assert canonical_url(None) is None and canonical_url("  ") is None
    assert canonical_url("https://news.example/a?utm_campaign=x") == "https://news.example/a"
    assert url_identity("https://www.news.example/a/") == "news.example/a"


@pytest.mark.parametrize(
    ("seen", "now", "window", "duplicate_of"),
    [
        (None, 100.0, DAY, None),
        (Seen("a1", 100.0), 100.0 + DAY - 1, DAY, "a1"),
        (Seen("a1", 100.0), 100.0 + DAY + 1, DAY, None),
        (Seen("a1", 100.0), 50.0, DAY, "a1"),  # out of order, still within the window
        (Seen("a1", 100.0), 101.0, 0.0, None),  # window 0: the rule is off
    ],
)
def test_remember(seen, now, window, duplicate_of):
    state, earlier = remember(seen, "a2", now=now, window=window)
    assert (earlier.article_id if earlier else None) == duplicate_of
    assert state.last_seen == max(now, seen.last_seen if duplicate_of and seen else now)
    assert state.article_id == (duplicate_of or "a2")


def test_the_window_slides_with_each_sighting():
    """A feed that re-delivers an item every hour keeps it suppressed for as long as it does."""
    state: Seen | None = None
    verdicts = []
    for hour in range(0, 72, 12):
        state, earlier = remember(state, "a1", now=hour * 3600.0, window=DAY)
        verdicts.append(earlier is not None)
    assert verdicts == [False, True, True, True, True, True]


def test_deduplicate_gives_a_drop_with_a_reason():
    state, dropped = deduplicate(None, _article("a1"), now=NOW, window=DAY)
    assert dropped is None
    state, dropped = deduplicate(state, _article("a2"), now=NOW + timedelta(hours=1), window=DAY)
    assert dropped == Dropped("duplicate", dropped.detail if dropped else "")
    assert dropped is not None and "a1" in dropped.detail


def test_process_drops_a_repeat_within_the_window_with_in_memory_state():
    cleaning = CleanState(window=DAY)
    raw = RawArticle(title="Terminal reopens", text=BODY)
    again = RawArticle(title="Terminal reopens", text=f"  {BODY}  \n\nShare this article")
    first = cleaning.cleaned(raw, NOW)
    second = cleaning.cleaned(again, NOW + timedelta(minutes=5))
    third = cleaning.cleaned(raw, NOW + timedelta(days=3))
    assert isinstance(first, CleanArticle)
    assert isinstance(second, Dropped) and second.reason == "duplicate"
    assert isinstance(third, CleanArticle)


def test_process_without_state_remembers_nothing():
    assert CleanState().window == 0.0


@pytest.mark.parametrize(
    ("origin", "duplicate"),
    [
        ("0:17", False),  # the record that passed first, delivered again after a crash
        ("0:18", True),  # another record with the same key: a real duplicate
        ("", True),  # no record identity (in-process mode): the window alone decides
    ],
)
def test_a_redelivered_first_sighting_passes_again(origin, duplicate):
    first, _ = remember(None, "a1", now=100.0, window=DAY, origin="0:17")
    _, earlier = remember(first, "a1", now=160.0, window=DAY, origin=origin)
    assert (earlier is not None) is duplicate


def test_a_redelivered_duplicate_is_still_dropped():
    first, _ = remember(None, "a1", now=100.0, window=DAY, origin="0:17")
    state, _ = remember(first, "a2", now=120.0, window=DAY, origin="1:5")
    _, earlier = remember(state, "a2", now=130.0, window=DAY, origin="1:5")
    assert earlier is not None and earlier.article_id == "a1"
