"""Each agent with Faust's test_context: what it sent and which counters moved."""

from __future__ import annotations

from unittest.mock import patch

import pytest

from schemas import Alert, ClassifiedArticle, CleanArticle, DeadLetter, TopicMatch
from streams.alerting.agents import raise_alerts
from streams.classification.agents import classify_articles
from streams.cleaning.agents import clean_articles
from streams.metrics import METRICS
from tests.agents.conftest import run


def _count(name: str, **labels: str) -> float:
    return METRICS.registry.get_sample_value(name, labels) or 0.0


async def _put_all(agent, values: list[bytes]) -> None:  # type: ignore[no-untyped-def]
    async with agent.test_context() as context:
        for value in values:
            await context.put(value, key=b"k1")


def _values(mock) -> list[bytes]:  # type: ignore[no-untyped-def]
    return [call.kwargs["value"] for call in mock.call_args_list]


def _seed_raw(seed_path) -> bytes:  # type: ignore[no-untyped-def]
    from streams.sources.files import plain_text_article

    return plain_text_article(seed_path.read_text(encoding="utf-8")).model_dump_json().encode()


def test_clean_agent_sends_the_clean_seed(app, sent, event_loop, seed_path):
    before = _count("newsradar_articles_out_total", stage="clean")
    run(event_loop, _put_all(clean_articles, [_seed_raw(seed_path)]))
    (value,) = _values(sent["clean_articles"])
    article = CleanArticle.model_validate_json(value)
    assert "Similar Posts" not in article.text
    assert sent["clean_articles"].call_args.kwargs["key"] == article.id.encode()
    assert _count("newsradar_articles_out_total", stage="clean") == before + 1
    sent["dead_letters"].assert_not_called()


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        (b"this is not json", "invalid_json"),
        (b'{"title": "t", "text": ["a", "list"]}', "invalid_schema"),
        (b'{"title": "Only a title", "text": "  "}', "empty_text"),
    ],
)
def test_clean_agent_dead_letters_bad_input_and_goes_on(app, sent, event_loop, value, reason):
    before = _count("newsradar_dead_letters_total", stage="clean", reason=reason)
    good = b'{"title": "Ferry", "text": "The ferry sailed."}'
    run(event_loop, _put_all(clean_articles, [value, good]))
    (letter_bytes,) = _values(sent["dead_letters"])
    letter = DeadLetter.model_validate_json(letter_bytes)
    assert (letter.stage, letter.reason) == ("clean", reason)
    assert letter.original_bytes() == value
    assert letter.offset is not None
    assert _count("newsradar_dead_letters_total", stage="clean", reason=reason) == before + 1
    assert len(_values(sent["clean_articles"])) == 1  # the good record after it still flowed


def test_an_exception_in_the_logic_becomes_a_dead_letter(app, sent, event_loop):
    with patch("streams.cleaning.agents.clean", side_effect=RuntimeError("boom")):
        run(event_loop, _put_all(clean_articles, [b'{"title": "t", "text": "x"}']))
    letter = DeadLetter.model_validate_json(_values(sent["dead_letters"])[0])
    assert (letter.reason, letter.exception_type) == ("internal_error", "RuntimeError")
    sent["clean_articles"].assert_not_called()


def test_classify_agent_sends_the_article_and_one_match_per_topic(app, sent, event_loop):
    article = CleanArticle(
        id="x1",
        title="Kremlin warns Kyiv",
        text="Russia massed troops near Ukraine. Putin and Zelensky traded warnings.",
    )
    before = _count("newsradar_topic_matches_total", topic="russia-ukraine")
    run(event_loop, _put_all(classify_articles, [article.model_dump_json().encode()]))
    (classified_bytes,) = _values(sent["classified_articles"])
    classified = ClassifiedArticle.model_validate_json(classified_bytes)
    assert [t.id for t in classified.topics] == ["russia-ukraine"]
    (match_call,) = sent["topic_matches"].call_args_list
    assert match_call.kwargs["key"] == b"russia-ukraine"
    assert TopicMatch.model_validate_json(match_call.kwargs["value"]).article.id == "x1"
    assert _count("newsradar_topic_matches_total", topic="russia-ukraine") == before + 1


def test_alert_agent_publishes_an_alert_keyed_by_its_id(app, sent, event_loop):
    article = CleanArticle(id="x2", title="Kremlin warns Kyiv", text="Russia and Ukraine.")
    from streams.classification.agents import TAXONOMY
    from streams.classification.logic import classify, topic_matches

    (match,) = topic_matches(classify(article, TAXONOMY))
    before = _count("newsradar_alerts_total", topic="russia-ukraine", kind="story", severity="high")
    run(event_loop, _put_all(raise_alerts, [match.model_dump_json().encode()]))
    (call,) = sent["alerts"].call_args_list
    alert = Alert.model_validate_json(call.kwargs["value"])
    assert call.kwargs["key"] == alert.id.encode()
    assert (alert.topic, alert.article_id) == ("russia-ukraine", "x2")
    after = _count("newsradar_alerts_total", topic="russia-ukraine", kind="story", severity="high")
    assert after == before + 1
