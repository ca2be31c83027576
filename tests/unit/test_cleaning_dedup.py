"""Exact duplicates: the key, the sightings kept as digests, the rule in `process`."""

from datetime import UTC, datetime, timedelta

import pytest

from schemas import CleanArticle, RawArticle
from streams.classification.logic import compile_taxonomy
from streams.classification.taxonomy import load_taxonomy
from streams.cleaning import seen
from streams.cleaning.dedup import canonical_url, dedup_key, url_identity
from streams.pipeline import LocalPipeline, process_article
from streams.settings import DEFAULT_TAXONOMY

TAXONOMY = compile_taxonomy(load_taxonomy(DEFAULT_TAXONOMY))
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


KEY = seen.sighting("u" + "0" * 32)


def _remember(bucket: bytes, now: float, window: float = DAY, origin: str = "", key=KEY):  # type: ignore[no-untyped-def]
    return seen.remember(bucket, key, now=now, window=window, origin=seen.origin_hash(origin))


@pytest.mark.parametrize(
    ("first_seen", "now", "window", "duplicate"),
    [
        (None, 100.0, DAY, False),
        (100.0, 100.0 + DAY - 1, DAY, True),
        (100.0, 100.0 + DAY + 1, DAY, False),
        (100.0, 50.0, DAY, True),  # out of order, still within the window
        (100.0, 101.0, 0.0, False),  # window 0: the rule is off
    ],
)
def test_remember(first_seen, now, window, duplicate):
    bucket = b"" if first_seen is None else _remember(b"", first_seen)[0]
    kept, earlier = _remember(bucket, now, window)
    assert (earlier is not None) is duplicate
    if duplicate:
        assert earlier.last_seen == int(first_seen)
    if window:
        assert seen.find(kept, KEY.digest) % seen.ENTRY.size == 0


def test_the_window_slides_with_each_sighting():
    """A feed that re-delivers an item every hour keeps it suppressed for as long as it does."""
    bucket, verdicts = b"", []
    for hour in range(0, 72, 12):
        bucket, earlier = _remember(bucket, hour * 3600.0)
        verdicts.append(earlier is not None)
    assert verdicts == [False, True, True, True, True, True]


def test_a_sighting_is_a_few_bytes_and_a_bucket_stays_bounded():
    bucket = b""
    for n in range(50):
        bucket, _ = _remember(bucket, 1000.0 + n, key=seen.sighting(f"t{n}"))
    assert len(bucket) == 50 * seen.ENTRY.size == 50 * 14
    bounded, _ = seen.remember(
        bucket, seen.sighting("t-new"), now=2000.0, window=DAY, max_entries=10
    )
    assert len(bounded) == 10 * seen.ENTRY.size
    assert seen.find(bounded, seen.sighting("t-new").digest) >= 0  # the newest kept
    assert seen.find(bounded, seen.sighting("t0").digest) < 0  # the oldest gone


def test_sightings_older_than_the_window_leave_the_bucket_when_it_is_written():
    bucket, _ = _remember(b"", 100.0, key=seen.sighting("old"))
    bucket, _ = _remember(bucket, 100.0 + DAY + 5, key=seen.sighting("new"))
    assert len(bucket) == seen.ENTRY.size
    assert seen.find(bucket, seen.sighting("old").digest) < 0


def test_the_in_process_pipeline_drops_a_repeat_within_the_window():
    pipeline = LocalPipeline(TAXONOMY, window=DAY)
    raw = RawArticle(title="Terminal reopens", text=BODY)
    again = RawArticle(title="Terminal reopens", text=f"  {BODY}  \n\nShare this article")
    first = process_article(raw, TAXONOMY, now=NOW, pipeline=pipeline)
    second = process_article(again, TAXONOMY, now=NOW + timedelta(minutes=5), pipeline=pipeline)
    third = process_article(raw, TAXONOMY, now=NOW + timedelta(days=3), pipeline=pipeline)
    assert first.classified is not None
    assert second.dropped is not None and second.dropped.reason == "duplicate"
    assert third.classified is not None


def test_without_a_window_nothing_is_remembered():
    pipeline = LocalPipeline(TAXONOMY)
    raw = RawArticle(title="Terminal reopens", text=BODY)
    for _ in range(2):
        assert process_article(raw, TAXONOMY, now=NOW, pipeline=pipeline).classified is not None
    assert pipeline.seen == {}


@pytest.mark.parametrize(
    ("origin", "duplicate"),
    [
        ("0:17", False),  # the record that passed first, delivered again after a crash
        ("0:18", True),  # another record with the same key: a real duplicate
        ("", True),  # no record identity (in-process mode): the window alone decides
    ],
)
def test_a_redelivered_first_sighting_passes_again(origin, duplicate):
    first, _ = _remember(b"", 100.0, origin="0:17")
    _, earlier = _remember(first, 160.0, origin=origin)
    assert (earlier is not None) is duplicate


def test_a_redelivered_duplicate_is_still_dropped():
    first, _ = _remember(b"", 100.0, origin="0:17")
    bucket, _ = _remember(first, 120.0, origin="1:5")
    _, earlier = _remember(bucket, 130.0, origin="1:5")
    assert earlier is not None and earlier.last_seen == 120
