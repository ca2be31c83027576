from datetime import UTC, datetime

import pytest

from schemas import CleanArticle, Evidence, TopicMatch, TopicScore
from streams.alerting.logic import alert_for, alert_id, summarize

PUBLISHED = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def _match(article_id: str = "a1", topic_id: str = "russia-ukraine") -> TopicMatch:
    evidence = [Evidence(term="kyiv", matched="Kyiv", field="title", start=0, end=4)]
    return TopicMatch(
        topic=TopicScore(
            id=topic_id,
            name="Russia–Ukraine tensions",
            score=0.93,
            severity="high",
            evidence=evidence,
        ),
        taxonomy_version="v1",
        article=CleanArticle(
            id=article_id,
            title="Kyiv talks",
            text="First. Second! Third.",
            published=PUBLISHED,
            ingested=PUBLISHED,
        ),
    )


def test_the_same_match_gives_the_same_alert_id():
    first = alert_for(_match(), alerted=datetime(2026, 1, 5, 10, tzinfo=UTC))
    again = alert_for(_match(), alerted=datetime(2026, 1, 6, 10, tzinfo=UTC))
    assert first.id == again.id


@pytest.mark.parametrize(
    ("other_article", "other_topic"), [("a2", "russia-ukraine"), ("a1", "middle-east")]
)
def test_different_article_or_topic_gives_another_id(other_article, other_topic):
    assert alert_id("russia-ukraine", "a1", "story") != alert_id(
        other_topic, other_article, "story"
    )


def test_alert_carries_what_a_reader_needs():
    alerted = datetime(2026, 1, 5, 10, tzinfo=UTC)
    alert = alert_for(_match(), alerted=alerted)
    assert (alert.topic, alert.article_id, alert.title) == ("russia-ukraine", "a1", "Kyiv talks")
    assert (alert.score, alert.severity, alert.kind) == (0.93, "high", "story")
    assert alert.evidence[0].matched == "Kyiv"
    assert (alert.published, alert.ingested, alert.alerted) == (PUBLISHED, PUBLISHED, alerted)
    assert alert.summary == "First. Second!"


@pytest.mark.parametrize(
    ("text", "summary"),
    [
        ("One. Two. Three.", "One. Two."),
        ("“Quoted.” Next one. Last.", "“Quoted.” Next one."),
        ("Para one\n\nPara two\n\nPara three", "Para one Para two"),
    ],
)
def test_summary_is_the_lead_sentences(text, summary):
    assert summarize(text) == summary


def test_long_summary_is_cut_at_a_word():
    summary = summarize("word " * 200)
    assert len(summary) <= 401 and summary.endswith("…")
