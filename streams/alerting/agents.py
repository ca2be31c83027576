"""The alert agent: news.topic-matches -> news.alerts, with story and surge state in a table.

A batch of matches is grouped by partition; each partition's run goes through the rules
in order over one overlay of the state (streams/steps.py: AlertStep). Its alerts are sent
together and acknowledged by Kafka before the state is written, each changed key once,
and the partition's mark last: a state that has absorbed a match has published its
alerts. What a crash leaves between the two (alerts out, state not written) is found on
the alert topic's tail after the mark, and not sent again (streams/alerting/published.py).
"""

from __future__ import annotations

import time
from collections import Counter
from functools import partial
from typing import Any

from faust.types import StreamT

from streams import metrics, topics
from streams.alerting import state
from streams.alerting.configure import alert_rules
from streams.alerting.published import PublishedTails
from streams.alerting.store import AlertStore
from streams.app import app, settings
from streams.batching import batches
from streams.stage import (
    Publisher,
    TableView,
    TableWriter,
    by_partition,
    count,
    current,
    records,
    table_values,
    utcnow,
)
from streams.steps import ALERT_STAGE, ALERTS, AlertStep, Batch

STAGE = ALERT_STAGE  # what the lag sensor calls this agent's input (streams/monitoring)
RULES = alert_rules(settings.alerting)
STEP = AlertStep(RULES)
TAILS = PublishedTails(settings.kafka, settings.topics.alerts)
PUBLISHER = Publisher(app, topics.BY_STEP_NAME, settings.topics.deadletter)


StateValueType = table_values("newsradar-alert-state", state.encode, state.decode)


# What is kept of the alert state (streams/alerting/store.py). Every key is written only
# while handling a partition's matches, and its topic's matches all come from one
# partition, so each key lives in one partition: the one in its `partition_of` below.
alert_state = app.Table(
    "alert-state",
    key_type=str,
    value_type=StateValueType,
    partitions=settings.topics.partitions,
)
STORE = AlertStore(TableView(alert_state), RULES.story)
WRITE = TableWriter(alert_state)  # each key to its matches' partition (see above)


@app.agent(topics.topic_matches)
async def raise_alerts(stream: StreamT[bytes]) -> None:  # (topic id, TopicMatch)
    """Group matches into stories and surges; publish the alerts, then write the state."""
    async for events in batches(stream, settings.worker.batch_size, settings.worker.batch_seconds):
        for partition, run in by_partition(records(current(app, events))).items():
            started = time.perf_counter()
            batch = STEP(STORE, run, now=utcnow())
            await _publish(partition, batch)
            _count(batch, time.perf_counter() - started)


async def _publish(partition: int, batch: Batch) -> None:
    """Alerts (those not already on the topic) and dead letters, acknowledged; then state."""
    alerts = list(batch.outputs(ALERTS))
    old = await TAILS.ids(partition, _mark(partition)) if alerts else frozenset()
    for verdict in batch.verdicts:
        verdict.outputs = [o for o in verdict.outputs if o.key.decode() not in old]
    sent = await PUBLISHER.publish(ALERT_STAGE, batch.verdicts)
    write = partial(WRITE, partition=partition)
    STORE.apply(batch.changes, write)
    if sent:  # last: the mark never runs ahead of the state it vouches for
        end = max(metadata.offset for _, metadata in sent) + 1
        write(state.mark_key(partition), state.AlertMark(next_offset=end))
    await WRITE.flush(PUBLISHER)  # in order, on one partition: the mark lands last


def _count(batch: Batch, seconds: float) -> None:
    count(ALERT_STAGE, batch.verdicts, seconds)
    now = utcnow()
    outcomes: Counter[tuple[str, str]] = Counter()
    live: dict[str, int] = {}
    for verdict in batch.verdicts:
        if verdict.facts is None:
            continue
        step = verdict.facts.step
        outcomes[(verdict.facts.topic, step.outcome)] += 1
        live[verdict.facts.topic] = step.live_stories
        if not step.alerts:
            continue
        sent = {o.key for o in verdict.outputs}
        for alert in step.alerts:
            if alert.id.encode() in sent:
                metrics.METRICS.observe_alert(alert, now)
    metrics.METRICS.observe_story_steps(outcomes, live)  # once a batch: one count a match


@app.on_partitions_revoked.connect
def _revoked(sender: Any, /, *revoked: Any, signal: Any, **kwargs: Any) -> None:
    """Another worker may write these partitions meanwhile: read the tails and rebuild the
    derived state anew when they come back."""
    TAILS.forget()
    STORE.forget()


@app.on_partitions_assigned.connect
def _assigned(sender: Any, /, *assigned: Any, signal: Any, **kwargs: Any) -> None:
    """Partitions (and their state, once recovered) arrived: derive their index anew."""
    STORE.forget()


def _mark(partition: int) -> int:
    mark = alert_state.get(state.mark_key(partition))
    return mark.next_offset if isinstance(mark, state.AlertMark) else 0
