"""The alert agent: news.topic-matches -> news.alerts, with story and surge state in a table."""

from __future__ import annotations

import inspect
from typing import Any

from faust.serializers import codecs
from faust.types import StreamT

from schemas import Alert, TopicMatch
from streams import topics
from streams.alerting import state
from streams.alerting.configure import alert_rules
from streams.alerting.logic import on_match
from streams.alerting.published import PublishedTails
from streams.app import app, settings
from streams.metrics import METRICS
from streams.stage import guarded, origin, utcnow

STAGE = "alert"
RULES = alert_rules(settings.alerting)
TAILS = PublishedTails(settings.kafka, settings.topics.alerts)


class _StateCodec(codecs.Codec):
    """Table values travel in the changelog as tagged JSON and come back as the same records."""

    def _dumps(self, obj: Any) -> bytes:
        return state.encode(obj)

    def _loads(self, s: bytes) -> Any:
        return state.decode(s)


codecs.register("newsradar-alert-state", _StateCodec())


class StateValueType:
    """The table's value type as Faust sees it: our codec, values handed back as decoded.

    Faust picks a table's changelog serializer from `value_type._options.serializer` and
    rebuilds values with `value_type.from_data`; the records are pydantic, not faust.Record.
    """

    class _options:  # the attribute name Faust reads
        serializer = "newsradar-alert-state"

    @classmethod
    def from_data(cls, data: Any, preferred_type: Any = None) -> Any:
        return data


# Keyed by "<kind>|<topic id>|...", written only while processing that topic's matches, so
# every key lives in the partition of its topic (Faust writes to the event's partition).
alert_state = app.Table(
    "alert-state",
    key_type=str,
    value_type=StateValueType,
    partitions=settings.topics.partitions,
)


@app.agent(topics.topic_matches)
async def raise_alerts(stream: StreamT[bytes]) -> None:  # (topic_id, TopicMatch)
    """Group matches into stories and surges; publish the alerts, then write the state."""
    async for event in stream.events():
        async with guarded(STAGE, event) as guard:
            match = await guard.decode(TopicMatch)
            if match is None:
                continue
            where = origin(event)
            partition = where.partition or 0
            step = on_match(alert_state, match, RULES, now=utcnow(), position=where.offset)
            # Published before a crash, unknown to the state: the same ids, not to be sent again.
            old = await TAILS.ids(partition, _mark(partition)) if step.alerts else frozenset()
            ends = [await _published(a, partition) for a in step.alerts if a.id not in old]
            state.apply_changes(alert_state, step.changes)
            if ends:  # last: the mark never runs ahead of the state it vouches for
                alert_state[state.mark_key(partition)] = state.AlertMark(next_offset=max(ends))
            METRICS.observe_story_step(match.topic.id, step.outcome, step.live_stories)
            if step.outcome in ("duplicate", "redelivered"):
                METRICS.observe_drop(STAGE, "duplicate")
            else:
                guard.passed()


@app.on_partitions_revoked.connect
def _revoked(sender: Any, /, *revoked: Any, signal: Any, **kwargs: Any) -> None:
    """Another worker may write these partitions' alerts meanwhile: read their tails anew."""
    TAILS.forget()


def _mark(partition: int) -> int:
    mark = alert_state.get(state.mark_key(partition))
    return mark.next_offset if isinstance(mark, state.AlertMark) else 0


async def _published(alert: Alert, partition: int) -> int:
    """Send, and wait until Kafka has the alert: only then may the state say it was raised.

    Keyed by its id, but on the partition its topic's matches come from (the alert topic
    has the pipeline's partition count, like the table's changelog): a topic's alerts stay
    in order, so a sink never delivers a story's older update after a newer one.
    """
    pending = await topics.alerts.send(
        key=alert.id.encode(), value=alert.model_dump_json().encode(), partition=partition
    )
    metadata = await pending if inspect.isawaitable(pending) else pending
    METRICS.observe_alert(alert, utcnow())
    return int(getattr(metadata, "offset", -1)) + 1
