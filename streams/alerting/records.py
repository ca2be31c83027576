"""Alert records built from a story, a surge or a digest. Pure; the same input gives the same id."""

from __future__ import annotations

import re
from datetime import datetime
from typing import cast

from schemas import Alert, TopicMatch
from schemas.alerts import DigestEntry, SurgeEvidence
from schemas.common import construct, short_hash
from schemas.vocabulary import AlertKind, Severity
from streams.alerting.severity import level, story_severity, surge_severity
from streams.alerting.state import Story
from streams.alerting.stories import article_ref
from streams.alerting.surges import SurgeSignal

# A sentence ends at . ! or ? (and a closing quote) before white space, or at a line break.
_SENTENCE_END = re.compile(r"[.!?][”\"’']?(\s+)|\n+")
SUMMARY_SENTENCES = 2
SUMMARY_MAX_CHARS = 400


def alert_id(topic_id: str, subject: str, kind: str) -> str:
    """Deterministic, so a redelivered match cannot produce a second, distinct alert.

    `subject` is what the alert is about: a story's first article id (story), the story
    and the article that updated it (story-update), a window or digest start.
    """
    return "a" + short_hash(kind, topic_id, subject)


def summarize(text: str) -> str:
    """The lead sentences, cut at a word boundary if they run long."""
    lead = text.strip()[: SUMMARY_MAX_CHARS * 3]  # the lead is all we need to split
    sentences: list[str] = []
    start = 0
    for end in _SENTENCE_END.finditer(lead):  # stops at the second sentence's end
        stop = end.start(1) if end.group(1) is not None else end.start()
        if stop > start:
            sentences.append(lead[start:stop])
        start = end.end()
        if len(sentences) == SUMMARY_SENTENCES:
            break
    else:
        if start < len(lead):
            sentences.append(lead[start:])
    summary = " ".join(sentences)
    if len(summary) <= SUMMARY_MAX_CHARS:
        return summary
    return summary[:SUMMARY_MAX_CHARS].rsplit(" ", 1)[0] + "…"


def severity_of(story: Story, *, outlets_to_escalate: int) -> tuple[str, list[str]]:
    return story_severity(
        story.base_severity,
        story.escalations,
        len(story.outlets),
        outlets_to_escalate=outlets_to_escalate,
    )


def story_alert(
    story: Story,
    trigger: TopicMatch,
    severity: tuple[str, list[str]],
    *,
    update: bool,
    alerted: datetime,
) -> Alert:
    """A new story (`update=False`) or news of a known one; times are the trigger's.

    Built without re-validation (`schemas.common.construct`), as `stories.found` builds a story: its
    parts are the story's and the match's, validated when they were read, and this runs
    for most matches of a busy topic."""
    first = story.articles[0]
    kind: AlertKind = "story-update" if update else "story"
    subject = f"{story.id}/{trigger.article.id}" if update else first.id
    return construct(
        Alert,
        id=alert_id(story.topic, subject, kind),
        schema_version=1,
        kind=kind,
        topic=story.topic,
        topic_name=story.topic_name,
        severity=cast(Severity, severity[0]),
        score=story.score,
        story_id=story.id,
        article_id=first.id,
        title=story.title,
        summary=story.summary,
        url=first.url,
        source=first.source,
        articles=list(story.articles),
        article_count=story.article_count,
        outlets=list(story.outlets),
        evidence=list(story.evidence),
        reasons=severity[1],
        surge=None,
        digest=[],
        taxonomy_version=story.taxonomy_version,
        published=trigger.article.published,
        ingested=trigger.article.ingested,
        alerted=alerted,
    )


def surge_alert(
    signal: SurgeSignal, trigger: TopicMatch, story_id: str, factor: float, *, alerted: datetime
) -> Alert:
    """The topic is suddenly everywhere: the window's count against its usual volume."""
    topic, article = trigger.topic, trigger.article
    minutes = round((signal.window_end - signal.window_start).total_seconds() / 60)
    reason = (
        f"{signal.count} articles published in {minutes} min, usually {signal.baseline:.1f}"
        f" (surge at {factor:g}×)"
    )
    return Alert(
        id=alert_id(topic.id, signal.window_start.isoformat(), "surge"),
        kind="surge",
        topic=topic.id,
        topic_name=topic.name,
        severity=surge_severity(topic.severity),
        score=topic.score,
        story_id=story_id,
        article_id=article.id,
        title=f"Surge: {topic.name}: {signal.count} articles in {minutes} min",
        summary=f"Latest: {article.title}. {reason}.",
        url=article.url,
        source=article.source,
        articles=[article_ref(trigger)],
        article_count=signal.count,
        evidence=list(topic.evidence[:20]),
        reasons=[reason],
        surge=SurgeEvidence(
            window_start=signal.window_start,
            window_end=signal.window_end,
            count=signal.count,
            baseline=round(signal.baseline, 3),
            factor=factor,
        ),
        taxonomy_version=trigger.taxonomy_version,
        published=article.published,
        ingested=article.ingested,
        alerted=alerted,
    )


def digest_alert(
    stories: list[tuple[Story, str]], trigger: TopicMatch, since: datetime, *, alerted: datetime
) -> Alert:
    """A topic's stories of one digest interval in one alert; `stories` carry their severity."""
    entries = [
        DigestEntry(
            story_id=s.id,
            title=s.title,
            severity=severity,
            article_count=s.article_count,
            outlet_count=len(s.outlets),
            url=s.articles[0].url,
        )
        for s, severity in stories
    ]
    loudest = max((severity for _, severity in stories), key=level)
    first = stories[0][0]
    return Alert(
        id=alert_id(trigger.topic.id, since.isoformat(), "digest"),
        kind="digest",
        topic=trigger.topic.id,
        topic_name=trigger.topic.name,
        severity=loudest,
        score=max(s.score for s, _ in stories),
        article_id=first.articles[0].id,
        title=f"{len(entries)} stories on {trigger.topic.name}",
        summary="; ".join(e.title for e in entries[:5]),
        url=first.articles[0].url,
        source=first.articles[0].source,
        articles=[s.articles[0] for s, _ in stories],
        article_count=sum(s.article_count for s, _ in stories),
        evidence=list(first.evidence),
        reasons=[f"digest since {since.isoformat(timespec='minutes')}"],
        digest=entries,
        taxonomy_version=trigger.taxonomy_version,
        published=trigger.article.published,
        ingested=trigger.article.ingested,
        alerted=alerted,
    )
