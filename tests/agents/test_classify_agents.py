"""The classify agent with Faust's test_context: duplicates dropped, articles classified,
one match per topic, the clean stage's memory written only after Kafka took the article."""

from __future__ import annotations

import pytest
from aiokafka.errors import MessageSizeTooLargeError

from schemas import ClassifiedArticle, CleanArticle, DeadLetter, TopicMatch
from streams.classification import agents
from streams.classification.agents import classify_articles
from streams.cleaning.dedup import dedup_key
from streams.steps import ORIGIN_HEADER
from tests.agents.conftest import put_all, run, value

BODY = (
    "The harbour authority confirmed on Tuesday that the northern ferry terminal will reopen "
    "next month after repairs to the storm-damaged pier were completed ahead of schedule."
)
WAR = CleanArticle(
    id="x1",
    title="Kremlin warns Kyiv",
    text="Russia massed troops near Ukraine. Putin and Zelensky traded warnings.",
)


@pytest.fixture(autouse=True)
def empty_memory(app):  # type: ignore[no-untyped-def]
    """test_context numbers offsets from 0 each time: each test starts with no sightings."""
    agents.seen.data.clear()
    yield
    agents.seen.data.clear()


def _ferry(article_id: str) -> CleanArticle:
    return CleanArticle(id=article_id, title="Ferry terminal reopens", text=BODY, language="en")


def test_an_article_is_published_classified_and_matched_per_topic(
    app, sent, names, metrics, event_loop
):
    run(event_loop, put_all(classify_articles, [WAR.model_dump_json().encode()]))
    assert sent.values(names.clean) == [WAR.model_dump_json().encode()]  # as it came
    (classified_bytes,) = sent.values(names.classified)
    classified = ClassifiedArticle.model_validate_json(classified_bytes)
    assert [t.id for t in classified.topics] == ["russia-ukraine"]
    (match_out,) = sent[names.matches]
    match = TopicMatch.model_validate_json(match_out.value)
    assert match_out.key == b"russia-ukraine" and match.article.id == "x1"
    assert len(match.article.signature) == 64 and match.article.summary  # no body, a fingerprint
    assert "text" not in match.article.model_dump()
    assert value(metrics, "newsradar_topic_matches_total", topic="russia-ukraine") == 1
    assert value(metrics, "newsradar_articles_out_total", stage="clean") == 1
    assert value(metrics, "newsradar_articles_out_total", stage="classify") == 1


def test_a_repeat_within_the_window_is_dropped_and_a_late_one_passes(
    app, sent, names, metrics, event_loop
):
    first, again = _ferry("a1"), _ferry("a2")
    key = dedup_key(first).encode()
    start = 1_900_000_000.0
    later = start + agents.STEP.window + 60  # the window has passed since the last sighting
    values = [first.model_dump_json().encode(), again.model_dump_json().encode()]
    stamps = [start, start + 5, later]
    run(event_loop, put_all(classify_articles, [*values, values[1]], key=key, timestamps=stamps))
    assert sent.keys_of(names.clean) == [b"a1", b"a2"]
    assert value(metrics, "newsradar_articles_out_total", stage="clean") == 2
    assert (
        value(metrics, "newsradar_articles_dropped_total", stage="clean", reason="duplicate") == 1
    )
    assert value(metrics, "newsradar_articles_in_total", stage="classify") == 2
    assert names.deadletter not in sent


def test_the_record_that_passed_first_passes_again_when_redelivered(app, sent, names, event_loop):
    """A crash between "remembered" and "committed" redelivers it: not its own duplicate."""
    article = _ferry("r1")
    raw = [(ORIGIN_HEADER, b"1:7")]
    values = [article.model_dump_json().encode()] * 2
    key = dedup_key(article).encode()
    run(event_loop, put_all(classify_articles, values, key=key, headers=raw))
    assert sent.keys_of(names.clean) == [b"r1", b"r1"]


def test_the_memory_is_written_after_kafka_took_the_article_to_its_partition(
    app, sent, names, event_loop
):
    article = _ferry("m1")
    run(event_loop, put_all(classify_articles, [article.model_dump_json().encode()], key=b"k"))
    kinds = [name for name, *_ in sent.changelog]
    assert kinds == ["seen"]
    (_, partition, bucket_key, bucket) = sent.changelog[0]
    assert bucket_key.startswith(b"0:") and partition == 0 and len(bucket) == 14


def test_an_output_kafka_refuses_for_good_becomes_a_dead_letter_and_is_not_remembered(
    app, sent, names, metrics, event_loop
):
    """Not retriable (a record too large for a request): the article is dead-lettered with
    why, the agent goes on, and the memory keeps no trace of what was never published."""
    sent.failures = [MessageSizeTooLargeError()]  # the first send: the clean record
    run(event_loop, put_all(classify_articles, [_ferry("big").model_dump_json().encode()]))
    (letter_bytes,) = sent.values(names.deadletter)
    letter = DeadLetter.model_validate_json(letter_bytes)
    assert (letter.stage, letter.reason) == ("classify", "unpublishable")
    assert "MessageSizeTooLargeError" in letter.detail
    labels = {"stage": "classify", "reason": "unpublishable"}
    assert value(metrics, "newsradar_dead_letters_total", **labels) == 1
    assert sent.changelog == []


def test_an_article_whose_records_would_exceed_a_request_is_dead_lettered_whole(
    app, sent, names, metrics, event_loop, monkeypatch
):
    """Checked before anything of it is sent: subscribers never see half an article."""
    monkeypatch.setattr(app.conf, "producer_max_request_size", 2_000)
    big = _ferry("huge").model_copy(update={"text": BODY * 12})  # ~2 KB of text
    run(event_loop, put_all(classify_articles, [big.model_dump_json().encode()]))
    (letter_bytes,) = sent.values(names.deadletter)
    letter = DeadLetter.model_validate_json(letter_bytes)
    assert (letter.stage, letter.reason) == ("classify", "too_large_to_publish")
    assert "request limit of 2,000 bytes" in letter.detail
    assert not sent[names.clean] and not sent[names.classified] and sent.changelog == []
