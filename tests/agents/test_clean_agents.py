"""The clean stage's two agents with Faust's test_context: what they sent, which counters moved."""

from __future__ import annotations

from collections.abc import Iterator
from unittest.mock import AsyncMock, patch

import pytest

from schemas import CleanArticle, DeadLetter, RawArticle
from streams.cleaning import agents
from streams.cleaning.agents import clean_articles, drop_duplicates
from streams.cleaning.dedup import dedup_key
from streams.cleaning.logic import CleanOptions
from streams.metrics import METRICS
from tests.agents.conftest import run

BODY = (
    "The harbour authority confirmed on Tuesday that the northern ferry terminal will reopen "
    "next month after repairs to the storm-damaged pier were completed ahead of schedule."
)
GOOD = RawArticle(id="g1", title="Ferry terminal reopens", text=BODY).model_dump_json().encode()


def _count(name: str, **labels: str) -> float:
    return METRICS.registry.get_sample_value(name, labels) or 0.0


def _values(mock: AsyncMock) -> list[bytes]:
    return [call.kwargs["value"] for call in mock.call_args_list]


async def _put_all(agent, values: list[bytes], key: bytes = b"k1", timestamps=None) -> None:  # type: ignore[no-untyped-def]
    async with agent.test_context() as context:
        for index, value in enumerate(values):
            timestamp = timestamps[index] if timestamps else None
            await context.put(value, key=key, timestamp=timestamp)


@pytest.fixture
def rekeyed() -> Iterator[AsyncMock]:
    """The internal dedup topic's send, recorded."""
    with patch.object(agents.dedup_topic, "send", AsyncMock()) as send:
        yield send


def test_clean_agent_rekeys_the_clean_seed_by_its_dedup_key(
    app, sent, rekeyed, event_loop, seed_path
):
    from streams.sources.files import plain_text_article

    raw = plain_text_article(seed_path.read_text(encoding="utf-8"))
    before = _count("newsradar_cleaning_removals_total", rule="repeated_title")
    run(event_loop, _put_all(clean_articles, [raw.model_dump_json().encode()]))
    (call,) = rekeyed.call_args_list
    article = CleanArticle.model_validate_json(call.kwargs["value"])
    assert "Similar Posts" not in article.text and article.language == "en"
    assert call.kwargs["key"] == dedup_key(article).encode()
    assert call.kwargs["timestamp"] > 0
    assert _count("newsradar_cleaning_removals_total", rule="repeated_title") == before + 2
    sent["dead_letters"].assert_not_called()
    sent["clean_articles"].assert_not_called()  # that is the dedup step's to do


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        (b"this is not json", "invalid_json"),
        (b'{"title": "t", "text": ["a", "list"]}', "invalid_schema"),
        (b'{"title": "Only a title", "text": "  "}', "empty_text"),
        (b'{"title": "Numbers", "text": "12 34 56 -- 78"}', "no_letters"),
        (b'{"title": "Short", "text": "Ships sail."}', "too_short"),
        (RawArticle(title="Huge", text="word " * 500_000).model_dump_json().encode(), "oversized"),
    ],
)
def test_clean_agent_dead_letters_what_is_no_article_and_goes_on(
    app, sent, rekeyed, event_loop, value, reason
):
    before = _count("newsradar_dead_letters_total", stage="clean", reason=reason)
    run(event_loop, _put_all(clean_articles, [value, GOOD]))
    (letter_bytes,) = _values(sent["dead_letters"])
    letter = DeadLetter.model_validate_json(letter_bytes)
    assert (letter.stage, letter.reason) == ("clean", reason)
    assert letter.original_size == len(value) and letter.offset is not None
    # A letter must fit in a producer request (1 MB): of a huge original, only its start.
    assert letter.original_bytes() == value or (reason, letter.truncated) == ("oversized", True)
    assert _count("newsradar_dead_letters_total", stage="clean", reason=reason) == before + 1
    assert len(rekeyed.call_args_list) == 1  # the good record after it still flowed


def test_an_exception_in_the_logic_becomes_a_dead_letter(app, sent, rekeyed, event_loop):
    with patch("streams.cleaning.agents.clean", side_effect=RuntimeError("boom")):
        run(event_loop, _put_all(clean_articles, [GOOD]))
    letter = DeadLetter.model_validate_json(_values(sent["dead_letters"])[0])
    assert (letter.reason, letter.exception_type) == ("internal_error", "RuntimeError")
    rekeyed.assert_not_called()


def test_another_language_is_dropped_with_a_reason_when_the_settings_say_so(
    app, sent, rekeyed, event_loop
):
    german = RawArticle(
        title="Fähre fährt wieder",
        text="Die Hafenbehörde bestätigte am Dienstag, dass das nördliche Fährterminal "
        "nächsten Monat nach der Reparatur des Anlegers wieder öffnet.",
    )
    before = _count("newsradar_articles_dropped_total", stage="clean", reason="language")
    options = CleanOptions(languages=frozenset({"en"}), drop_other_languages=True)
    with patch.object(agents, "OPTIONS", options):
        run(event_loop, _put_all(clean_articles, [german.model_dump_json().encode(), GOOD]))
    assert (
        _count("newsradar_articles_dropped_total", stage="clean", reason="language") == before + 1
    )
    assert len(rekeyed.call_args_list) == 1
    sent["dead_letters"].assert_not_called()


def _clean_article(article_id: str) -> CleanArticle:
    return CleanArticle(id=article_id, title="Ferry terminal reopens", text=BODY, language="en")


def test_dedup_step_publishes_the_first_and_drops_a_repeat_within_the_window(app, sent, event_loop):
    first, again = _clean_article("a1"), _clean_article("a2")
    key = dedup_key(first).encode()
    start = 1_900_000_000.0
    out_before = _count("newsradar_articles_out_total", stage="clean")
    dropped_before = _count("newsradar_articles_dropped_total", stage="clean", reason="duplicate")
    values = [first.model_dump_json().encode(), again.model_dump_json().encode()]
    later = start + agents.WINDOW + 60  # the window has passed since the last sighting
    run(
        event_loop,
        _put_all(
            drop_duplicates, [*values, values[1]], key=key, timestamps=[start, start + 5, later]
        ),
    )
    published = sent["clean_articles"].call_args_list
    assert [call.kwargs["key"] for call in published] == [b"a1", b"a2"]
    assert _count("newsradar_articles_out_total", stage="clean") == out_before + 2
    after = _count("newsradar_articles_dropped_total", stage="clean", reason="duplicate")
    assert after == dropped_before + 1
    sent["dead_letters"].assert_not_called()


def test_an_article_whose_send_failed_is_not_remembered(app, sent, event_loop):
    """The table is written after the send: a failure costs a repeat, never the article."""
    article = _clean_article("f1").model_copy(update={"text": BODY + " A send that fails."})
    value, key = article.model_dump_json().encode(), dedup_key(article).encode()
    sent["clean_articles"].side_effect = [RuntimeError("broker gone"), None]
    run(event_loop, _put_all(drop_duplicates, [value, value], key=key))
    letter = DeadLetter.model_validate_json(_values(sent["dead_letters"])[0])
    assert (letter.reason, letter.exception_type) == ("internal_error", "RuntimeError")
    assert [call.kwargs["key"] for call in sent["clean_articles"].call_args_list] == [b"f1", b"f1"]
