"""The alert stage: a topic match in, an alert out. Pure; the same input gives the same id."""

from __future__ import annotations

import re
from datetime import datetime

from schemas import Alert, TopicMatch
from schemas.common import short_hash

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|(?<=[.!?][”\"’'])\s+|\n+")
SUMMARY_SENTENCES = 2
SUMMARY_MAX_CHARS = 400


def alert_id(topic_id: str, article_id: str, kind: str) -> str:
    """Deterministic, so a redelivered match cannot produce a second, distinct alert."""
    return "a" + short_hash(kind, topic_id, article_id)


def summarize(text: str) -> str:
    """The lead sentences, cut at a word boundary if they run long."""
    sentences = [s for s in _SENTENCE_END.split(text.strip()) if s][:SUMMARY_SENTENCES]
    summary = " ".join(sentences)
    if len(summary) <= SUMMARY_MAX_CHARS:
        return summary
    return summary[:SUMMARY_MAX_CHARS].rsplit(" ", 1)[0] + "…"


def alert_for(match: TopicMatch, *, alerted: datetime) -> Alert:
    """The story alert for one article that passed a topic's threshold."""
    article, topic = match.article, match.topic
    return Alert(
        id=alert_id(topic.id, article.id, "story"),
        kind="story",
        topic=topic.id,
        topic_name=topic.name,
        severity=topic.severity,
        score=topic.score,
        article_id=article.id,
        title=article.title,
        summary=summarize(article.text),
        url=article.url,
        source=article.source,
        evidence=topic.evidence,
        taxonomy_version=match.taxonomy_version,
        published=article.published,
        ingested=article.ingested,
        alerted=alerted,
    )
