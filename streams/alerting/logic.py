"""The alert stage: a topic match and the topic's state in, state changes and alerts out. Pure.

`on_match(state, match) -> Step(changes, alerts)`: the state is a read-only mapping (a
Faust table in the worker, a dict in `newsradar process`), and the step lists the keys to
write, in order, with the topic's record last. A match whose article the topic has
absorbed (its ring: streams/alerting/repeats.py) changes nothing twice, whether Kafka
redelivered it after a crash or an upstream stage published it again; the offset the
topic's record carries only names the first kind. Not the offset alone: the transport
reads a record it fetched and never handled again after the records behind it were
handled (streams/consumer.py), and that match was never absorbed. The agent sends the
alerts (and waits for Kafka to take them) before writing the changes, so a state that has
absorbed a match has also published its alerts. Ids are derived from the input, never
from a clock: a redelivery re-creates the same ids.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal

from schemas import Alert, TopicMatch
from streams.alerting import records, repeats, stories, surges
from streams.alerting.records import alert_id, summarize
from streams.alerting.severity import escalation_pattern
from streams.alerting.similarity import band_hashes
from streams.alerting.state import (
    Overlay,
    Reader,
    StateValue,
    Story,
    TopicState,
    story_key,
    topic_key,
)
from streams.alerting.stories import StoryRules
from streams.alerting.surges import SurgeRules

__all__ = ["AlertRules", "Step", "alert_id", "on_match", "summarize"]

StoryOutcome = Literal["new", "joined", "duplicate", "redelivered"]
#: Stories waiting for a digest: more than this and the oldest are left out of it.
MAX_DIGEST_STORIES = 50
#: Off by default: escalation is per topic in the taxonomy's severity rules ("nuclear" is
#: news on one topic and routine on another); these apply to every topic when set.
DEFAULT_ESCALATION_TERMS: tuple[str, ...] = ()


@dataclass(frozen=True)
class AlertRules:
    """Everything the alert stage decides with; built once from settings by the edges."""

    story: StoryRules = field(default_factory=StoryRules)
    surge: SurgeRules = field(default_factory=SurgeRules)
    escalation_terms: tuple[str, ...] = DEFAULT_ESCALATION_TERMS
    outlets_to_escalate: int = 5
    digest_seconds: int = 0
    stale_seconds: int = 0
    escalation: re.Pattern[str] | None = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "escalation", escalation_pattern(self.escalation_terms))


@dataclass(frozen=True)
class Step:
    """What one match did: the writes (None deletes), the alerts, and counters for metrics."""

    changes: dict[str, StateValue | None]
    alerts: list[Alert]
    outcome: StoryOutcome
    live_stories: int = 0


def on_match(
    state: Reader,
    match: TopicMatch,
    rules: AlertRules,
    *,
    now: datetime,
    position: int | None = None,
) -> Step:
    """Group the article into a story, count it for surges, and decide which alerts to raise."""
    tx = Overlay(state)
    topic_id, article = match.topic.id, match.article
    topic = tx.get(topic_key(topic_id))
    topic = topic if isinstance(topic, TopicState) else TopicState()
    behind = position is not None and topic.position is not None and position <= topic.position
    if repeats.absorbed(tx, topic_id, topic, article.id):
        outcome: StoryOutcome = "redelivered" if behind else "duplicate"
        return Step({}, [], outcome, live_stories=topic.live_stories)
    if behind:  # read again after later matches, never absorbed: the position stays
        position = topic.position
    ingested = article.ingested or now
    moment = surges.event_time(article.published, ingested)
    clock = max(topic.clock or moment, moment)
    topic = stories.expire(tx, topic, topic_id, clock, rules.story)
    topic = topic.model_copy(update={"clock": clock, "position": position})
    placed = _place(tx, topic, match, moment, rules)
    if placed is None:  # this very article is already in its story, the ring missed it
        topic = repeats.record(tx, topic, topic_id, article.id)  # (a crash cut its writes)
        tx.put(topic_key(topic_id), topic)
        return Step(tx.changes, [], "duplicate", live_stories=topic.live_stories)
    story, topic, outcome = placed
    topic = repeats.record(tx, topic, topic_id, article.id)
    surge_state, signal = surges.observe(topic.surge, moment, ingested, rules.surge)
    topic = topic.model_copy(update={"surge": surge_state})
    alerts: list[Alert] = []
    story, topic = _story_alerts(tx, story, topic, match, (moment, ingested), rules, now, alerts)
    if signal is not None:
        alerts.append(records.surge_alert(signal, match, story.id, rules.surge.factor, alerted=now))
    tx.put(story_key(topic_id, story.id), story)
    tx.put(topic_key(topic_id), topic)
    return Step(tx.changes, alerts, outcome, live_stories=topic.live_stories)


def _place(
    tx: Overlay, topic: TopicState, match: TopicMatch, moment: datetime, rules: AlertRules
) -> tuple[Story, TopicState, StoryOutcome] | None:
    """The article joins the most similar live story, or founds one; None if it is in one."""
    article, topic_id = match.article, match.topic.id
    sig = tuple(article.signature)
    bands = article.bands or band_hashes(sig)
    held = stories.buckets(tx, topic_id, bands)
    story = stories.find(tx, topic_id, sig, held, topic.clock or moment, rules.story)
    if story is not None and stories.contains(story, article.id):
        return None
    if _founded(tx, topic_id, article.id):
        return None
    found = article.escalations
    if story is not None:
        return stories.join(story, match, moment, found, rules.story), topic, "joined"
    story = stories.found(match, sig, bands, moment, article.summary, found)
    stories.index(tx, story, held)
    topic = stories.file(tx, topic, topic_id, story.id, topic.clock or moment, rules.story)
    return story, stories.trim(tx, topic, topic_id, rules.story), "new"


def _founded(tx: Overlay, topic_id: str, article_id: str) -> bool:
    """This article founded a story already, live or not: it is a repeat (the story id
    comes from the first article). An article older than the window finds no live story,
    so without this a repeat would found it again and raise the same alert id twice."""
    return isinstance(tx.get(story_key(topic_id, stories.story_id(topic_id, article_id))), Story)


def _story_alerts(
    tx: Overlay,
    story: Story,
    topic: TopicState,
    match: TopicMatch,
    times: tuple[datetime, datetime],
    rules: AlertRules,
    now: datetime,
    alerts: list[Alert],
) -> tuple[Story, TopicState]:
    """A story alert for a new story, an update once the cooldown has passed, or a digest."""
    moment, ingested = times
    if rules.stale_seconds and moment < ingested - timedelta(seconds=rules.stale_seconds):
        return story, topic  # a backfilled article: grouped, not announced
    if rules.digest_seconds:
        return story, _digest(tx, story, topic, match, rules, now, alerts)
    if story.alerted_at is None:
        alerts.append(_story_alert(story, match, rules, now, update=False))
    elif story.last_seen - story.alerted_at >= timedelta(seconds=rules.story.cooldown_seconds):
        alerts.append(_story_alert(story, match, rules, now, update=True))
    else:
        return story, topic
    return story.model_copy(
        update={"alerted_at": story.last_seen, "alerts": story.alerts + 1}
    ), topic


def _story_alert(
    story: Story, match: TopicMatch, rules: AlertRules, now: datetime, *, update: bool
) -> Alert:
    severity = records.severity_of(story, outlets_to_escalate=rules.outlets_to_escalate)
    return records.story_alert(story, match, severity, update=update, alerted=now)


def _digest(
    tx: Overlay,
    story: Story,
    topic: TopicState,
    match: TopicMatch,
    rules: AlertRules,
    now: datetime,
    alerts: list[Alert],
) -> TopicState:
    """Collect the story for the topic's digest; send the digest once its interval has passed.

    Digests are driven by the topic's own articles (published time), not by a timer: a
    Faust table can only be written while processing an event, and a quiet topic has
    nothing new to digest anyway.
    """
    pending = topic.digest
    if story.id not in pending:
        pending = (*pending, story.id)[-MAX_DIGEST_STORIES:]
    clock = topic.clock or story.last_seen
    since = topic.digest_since or clock
    if clock - since < timedelta(seconds=rules.digest_seconds):
        return topic.model_copy(update={"digest": pending, "digest_since": since})
    collected = [
        story if sid == story.id else tx.get(story_key(story.topic, sid)) for sid in pending
    ]
    rated = [
        (
            s,
            records.severity_of(s, outlets_to_escalate=rules.outlets_to_escalate)[0],
        )
        for s in collected
        if isinstance(s, Story)
    ]
    if rated:
        alerts.append(records.digest_alert(rated, match, since, alerted=now))
    return topic.model_copy(update={"digest": (), "digest_since": clock})
