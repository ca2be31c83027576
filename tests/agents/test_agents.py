"""Each agent with Faust's test_context (the clean stage's two: test_clean_agents.py)."""

from __future__ import annotations

from schemas import Alert, ClassifiedArticle, CleanArticle, TopicMatch
from streams.alerting.agents import raise_alerts
from streams.classification.agents import classify_articles
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
    from streams.classification.agents import TAXONOMY_FILE
    from streams.classification.logic import classify, topic_matches

    (match,) = topic_matches(classify(article, TAXONOMY_FILE.taxonomy))
    before = _count("newsradar_alerts_total", topic="russia-ukraine", kind="story", severity="high")
    run(event_loop, _put_all(raise_alerts, [match.model_dump_json().encode()]))
    (call,) = sent["alerts"].call_args_list
    alert = Alert.model_validate_json(call.kwargs["value"])
    assert call.kwargs["key"] == alert.id.encode()
    assert (alert.topic, alert.article_id) == ("russia-ukraine", "x2")
    after = _count("newsradar_alerts_total", topic="russia-ukraine", kind="story", severity="high")
    assert after == before + 1
