"""The clean agent with Faust's test_context: what it sent, which counters moved.

The budget runs on a fake clock (streams.cleaning.agents.CLOCK): no timing here.
"""

from __future__ import annotations

import itertools
from dataclasses import replace
from unittest.mock import patch

import pytest
from faust.types import TP

from schemas import CleanArticle, DeadLetter, RawArticle
from streams.cleaning import agents
from streams.cleaning.agents import clean_articles
from streams.cleaning.dedup import dedup_key
from streams.cleaning.logic import CleanOptions
from streams.steps import ORIGIN_HEADER
from tests.agents.conftest import put_all, run, value

BODY = (
    "The harbour authority confirmed on Tuesday that the northern ferry terminal will reopen "
    "next month after repairs to the storm-damaged pier were completed ahead of schedule."
)
GOOD = RawArticle(id="g1", title="Ferry terminal reopens", text=BODY).model_dump_json().encode()


def _letters(sent, names) -> list[DeadLetter]:  # type: ignore[no-untyped-def]
    return [DeadLetter.model_validate_json(v) for v in sent.values(names.deadletter)]


def test_the_seed_is_cleaned_and_rekeyed_by_its_dedup_key(
    app, sent, names, metrics, event_loop, seed_path
):
    from streams.sources.files import plain_text_article

    raw = plain_text_article(seed_path.read_text(encoding="utf-8"))
    run(event_loop, put_all(clean_articles, [raw.model_dump_json().encode()]))
    (out,) = sent[names.dedup]
    article = CleanArticle.model_validate_json(out.value)
    assert "Similar Posts" not in article.text and article.language == "en"
    assert out.key == dedup_key(article).encode()
    assert out.timestamp and out.timestamp > 0
    assert dict(out.headers)[ORIGIN_HEADER] == b"0:0"  # the raw record it came from
    assert value(metrics, "newsradar_cleaning_removals_total", rule="repeated_title") == 2
    assert value(metrics, "newsradar_articles_in_total", stage="clean") == 1
    assert set(sent) == {names.dedup}  # the clean topic is the classify agent's to write


@pytest.mark.parametrize(
    ("bad", "reason"),
    [
        (b"this is not json", "invalid_json"),
        (b'{"title": "t", "text": ["a", "list"]}', "invalid_schema"),
        (b'{"title": "Only a title", "text": "  "}', "empty_text"),
        (b'{"title": "Numbers", "text": "12 34 56 -- 78"}', "no_letters"),
        (b'{"title": "Short", "text": "Ships sail."}', "too_short"),
        (RawArticle(title="Huge", text="word " * 500_000).model_dump_json().encode(), "oversized"),
    ],
)
def test_what_is_no_article_is_dead_lettered_and_the_next_goes_on(
    app, sent, names, metrics, event_loop, bad, reason
):
    run(event_loop, put_all(clean_articles, [bad, GOOD]))
    (letter,) = _letters(sent, names)
    assert (letter.stage, letter.reason) == ("clean", reason)
    assert letter.original_size == len(bad) and letter.offset == 0
    # A letter must fit in a producer request (1 MB): of a huge original, only its start.
    assert letter.original_bytes() == bad or (reason, letter.truncated) == ("oversized", True)
    assert value(metrics, "newsradar_dead_letters_total", stage="clean", reason=reason) == 1
    assert len(sent[names.dedup]) == 1  # the good record after it still flowed


def test_an_exception_in_the_logic_becomes_a_dead_letter(app, sent, names, event_loop):
    with patch("streams.steps.clean_with", side_effect=RuntimeError("boom")):
        run(event_loop, put_all(clean_articles, [GOOD]))
    (letter,) = _letters(sent, names)
    assert (letter.reason, letter.exception_type) == ("internal_error", "RuntimeError")
    assert names.dedup not in sent


def test_another_language_is_dropped_with_a_reason_when_the_settings_say_so(
    app, sent, names, metrics, event_loop
):
    german = RawArticle(
        title="Fähre fährt wieder",
        text="Die Hafenbehörde bestätigte am Dienstag, dass das nördliche Fährterminal "
        "nächsten Monat nach der Reparatur des Anlegers wieder öffnet.",
    )
    options = CleanOptions(languages=frozenset({"en"}), drop_other_languages=True)
    with patch.object(agents, "STEP", replace(agents.STEP, options=options)):
        run(event_loop, put_all(clean_articles, [german.model_dump_json().encode(), GOOD]))
    dropped = value(metrics, "newsradar_articles_dropped_total", stage="clean", reason="language")
    assert dropped == 1
    assert len(sent[names.dedup]) == 1 and names.deadletter not in sent


def test_a_record_over_the_byte_limit_is_dead_lettered_unparsed(app, sent, names, event_loop):
    options = replace(agents.STEP.options, max_record_bytes=len(GOOD))
    with patch.object(agents, "STEP", replace(agents.STEP, options=options)):
        run(event_loop, put_all(clean_articles, [b"{" * (len(GOOD) + 1), GOOD]))  # not JSON
    (letter,) = _letters(sent, names)
    assert (letter.reason, letter.stage) == ("oversized", "clean") and "bytes" in letter.detail
    assert len(sent[names.dedup]) == 1


def test_an_article_over_its_time_budget_is_dead_lettered(app, sent, names, metrics, event_loop):
    ticks = itertools.count(0.0, 10.0)  # every reading 10 s later: over a 2 s budget at once
    with patch.object(agents, "CLOCK", lambda: next(ticks)):
        run(event_loop, put_all(clean_articles, [GOOD]))
    (letter,) = _letters(sent, names)
    assert letter.reason == "time_budget" and letter.original_bytes() == GOOD
    assert value(metrics, "newsradar_dead_letters_total", stage="clean", reason="time_budget") == 1
    assert names.dedup not in sent


def test_a_send_kafka_does_not_take_is_sent_again_until_it_is(app, sent, names, event_loop):
    """A timeout or a moving leader may pass: the batch waits, nothing is lost or dropped."""
    from aiokafka.errors import KafkaTimeoutError

    sent.failures = [KafkaTimeoutError()]
    with patch("streams.stage.RETRY_SECONDS", (0.0,)):
        run(event_loop, put_all(clean_articles, [GOOD]))
    assert len(sent[names.dedup]) == 1 and names.deadletter not in sent


STORIES = (
    BODY,
    "The council approved a new cycle lane along the river on Monday after a long public "
    "consultation, and work on the first section will begin before the summer holidays.",
    "Volunteers planted four hundred trees in the old quarry at the weekend, the charity said, "
    "and a second planting day is planned for the autumn with schools from the district.",
)


def test_an_outlet_s_learned_furniture_is_written_once_a_batch_to_its_raw_partition(
    app, sent, names, event_loop
):
    """Three articles of one outlet in one batch: one state write, keyed by partition and
    outlet, after the articles were sent; the next batch starts from that state."""
    agents.furniture.data.clear()
    values = [
        RawArticle(
            id=f"o{n}",
            title=f"Ferry terminal news {n}",
            text=f"{STORIES[n]}\n\nShare this story with a friend today",
            url=f"https://www.harbour-news.example/story/{n}",
        )
        .model_dump_json()
        .encode()
        for n in range(3)
    ]
    run(event_loop, put_all(clean_articles, values))
    writes = [(partition, key) for name, partition, key, _ in sent.changelog if name == "furniture"]
    assert writes == [(0, "0:harbour-news.example")]
    (state,) = [v for name, _, _, v in sent.changelog if name == "furniture"]
    assert state.articles == 3
    assert agents.furniture.data["0:harbour-news.example"].encode() == state.encode()
    agents.furniture.data.clear()


def test_a_busy_outlet_s_state_goes_to_the_changelog_at_most_every_persist_seconds(
    app, sent, names, event_loop, monkeypatch
):
    """Encoding a state costs about 0.15 ms: the next batch's change stays in memory, and
    the timer writes it (a crash loses a little learning, never an article)."""
    agents.furniture.data.clear()
    agents._persisted.clear()
    monkeypatch.setattr(app.consumer, "assignment", lambda: {TP(names.raw, 0)})
    first, second = (
        RawArticle(id=f"b{n}", title="Harbour", text=STORIES[n], url=f"https://b.example/{n}")
        for n in range(2)
    )
    run(event_loop, put_all(clean_articles, [first.model_dump_json().encode()]))
    run(event_loop, put_all(clean_articles, [second.model_dump_json().encode()]))
    writes = [v for name, _, _, v in sent.changelog if name == "furniture"]
    assert [w.articles for w in writes] == [1]  # the second batch's state not yet written
    assert agents.furniture.data["0:b.example"].articles == 2  # but in memory
    run(event_loop, agents.persist_unsaved())
    writes = [v for name, _, _, v in sent.changelog if name == "furniture"]
    assert [w.articles for w in writes] == [1, 2]
    agents.furniture.data.clear()


def test_a_dead_letter_kafka_does_not_take_at_first_is_sent_again_not_lost(
    app, sent, names, metrics, event_loop
):
    """The broker briefly away when a letter goes out: retried with backoff; the agent lives
    on and the next record flows (before, the failed send restarted the agent)."""
    from aiokafka.errors import KafkaTimeoutError, NotLeaderForPartitionError

    sent.failures = [KafkaTimeoutError(), NotLeaderForPartitionError()]
    with patch("streams.stage.RETRY_SECONDS", (0.0,)):
        run(event_loop, put_all(clean_articles, [b"not json"]))
        run(event_loop, put_all(clean_articles, [GOOD]))
    (letter,) = _letters(sent, names)
    assert letter.reason == "invalid_json"
    assert value(metrics, "newsradar_dead_letters_total", stage="clean", reason="invalid_json") == 1
    assert len(sent[names.dedup]) == 1
