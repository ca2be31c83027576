"""Consumer lag per partition (streams/monitoring): the pure rule, and the gauges it sets."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

import pytest
from faust.types import TP
from prometheus_client import CollectorRegistry

from streams.metrics import Metrics
from streams.monitoring.logic import Lag, Progress, measure, processed
from streams.monitoring.sensors import LagTracker, agent_input_stages

T0 = 1_000_000.0


@pytest.mark.parametrize(
    ("progress", "highwater", "position", "lag"),
    [
        # Kafka has not said where the partition ends yet: nothing to report.
        (Progress(T0), None, 5, None),
        # Nothing processed and no fetch position either.
        (Progress(T0), 10, None, None),
        # Finished offset 9 of a partition whose next record will be 10: caught up.
        (Progress(T0, processed_offset=9, processed_timestamp=T0 - 50), 10, None, Lag(0, 0.0)),
        # 5 records behind; the last one finished was produced 20 s ago, last caught up 60 s ago.
        (Progress(T0 - 100, 4, T0 - 20, T0 - 60), 10, None, Lag(5, 20.0)),
        # Caught up more recently than the finished record was produced.
        (Progress(T0 - 100, 4, T0 - 90, T0 - 30), 10, None, Lag(5, 30.0)),
        # Nothing finished since assignment: the fetch position stands in, time since assignment.
        (Progress(T0 - 100), 10, 7, Lag(3, 100.0)),
        (Progress(T0 - 100), 10, 10, Lag(0, 0.0)),
        # A record produced with a timestamp from the future never makes the lag negative.
        (Progress(T0, 4, T0 + 30), 10, None, Lag(5, 0.0)),
    ],
)
def test_lag_in_records_and_seconds(progress, highwater, position, lag):
    _, measured = measure(progress, highwater, position, now=T0)
    assert measured == lag


def test_being_caught_up_is_remembered_and_bounds_the_next_lag():
    progress, _ = measure(Progress(T0 - 500, 9, T0 - 400), highwater=10, position=None, now=T0)
    assert progress.caught_up_at == T0

    progress = processed(progress, 10, timestamp=T0 - 400)  # a late record, produced long ago
    _, lag = measure(progress, highwater=15, position=None, now=T0 + 7)
    assert lag == Lag(4, 7.0)


RAW, CLEAN = "t.raw", "t.clean"


class FakeConsumer:
    """The three things the tracker asks a Faust consumer."""

    def __init__(self, highwaters: dict[TP, int], positions: dict[TP, int]) -> None:
        self.highwaters, self.positions = highwaters, positions

    def assignment(self) -> set[TP]:
        return set(self.highwaters)

    def highwater(self, tp: TP) -> int:
        return self.highwaters[tp]

    async def position(self, tp: TP) -> int:
        return self.positions[tp]


def gauge(metrics: Metrics, name: str, stage: str, topic: str, partition: int) -> float | None:
    labels = {"stage": stage, "kafka_topic": topic, "partition": str(partition)}
    return metrics.registry.get_sample_value(name, labels)


def test_the_tracker_sets_the_gauges_of_assigned_partitions_and_forgets_revoked_ones():
    metrics = Metrics(CollectorRegistry())
    tracker = LagTracker({RAW: "clean", CLEAN: "classify"}, metrics)
    raw0, raw1, other = TP(RAW, 0), TP(RAW, 1), TP("faust-internal", 0)
    tracker.on_message_out(raw0, 6, SimpleNamespace(timestamp=T0 - 5))
    tracker.on_message_out(other, 1, SimpleNamespace(timestamp=T0))
    consumer = FakeConsumer({raw0: 10, raw1: 4, other: 2}, positions={raw1: 4})

    asyncio.run(tracker.report(consumer, now=T0))  # type: ignore[arg-type]

    assert gauge(metrics, "newsradar_consumer_lag_messages", "clean", RAW, 0) == 3
    assert gauge(metrics, "newsradar_consumer_lag_seconds", "clean", RAW, 0) == 5
    assert gauge(metrics, "newsradar_consumer_lag_messages", "clean", RAW, 1) == 0
    assert set(tracker.progress) == {raw0, raw1}

    consumer.highwaters.pop(raw0)  # rebalanced: raw[0] now belongs to another worker
    asyncio.run(tracker.report(consumer, now=T0 + 1))  # type: ignore[arg-type]

    assert gauge(metrics, "newsradar_consumer_lag_messages", "clean", RAW, 0) is None
    assert gauge(metrics, "newsradar_consumer_lag_seconds", "clean", RAW, 0) is None
    assert gauge(metrics, "newsradar_consumer_lag_messages", "clean", RAW, 1) == 0


def test_each_agents_input_topic_is_mapped_to_the_agents_stage():
    import streams.alerting.agents
    import streams.classification.agents
    import streams.cleaning.agents
    from streams.app import app, settings

    stages = agent_input_stages(app)

    names = settings.topics
    dedup = streams.cleaning.agents.topics.dedup.get_topic_name()
    assert stages == {names.raw: "clean", dedup: "classify", names.matches: "alert"}
    assert set(stages.values()) == {"clean", "classify", "alert"}


def test_of_the_records_finished_between_reports_the_last_counts():
    metrics = Metrics(CollectorRegistry())
    tracker = LagTracker({RAW: "clean"}, metrics)
    raw0 = TP(RAW, 0)
    for offset in range(3, 8):
        tracker.on_message_out(raw0, offset, SimpleNamespace(timestamp=T0 - 10 + offset))
    consumer = FakeConsumer({raw0: 12}, positions={})

    asyncio.run(tracker.report(consumer, now=T0))  # type: ignore[arg-type]

    assert tracker.progress[raw0].processed_offset == 7
    assert gauge(metrics, "newsradar_consumer_lag_messages", "clean", RAW, 0) == 4
    assert gauge(metrics, "newsradar_consumer_lag_seconds", "clean", RAW, 0) == 3
    assert tracker.finished == {}  # folded: the next report starts from there


def test_fausts_monitor_is_told_of_no_record_and_our_tracker_still_is():
    from faust.sensors import Monitor
    from faust.sensors.base import SensorDelegate
    from mode.utils.trees import Node

    from streams.monitoring.sensors import quiet_monitor

    sensors = SensorDelegate(SimpleNamespace(beacon=Node(None)))  # type: ignore[arg-type]
    app = SimpleNamespace(monitor=Monitor(), sensors=sensors)
    tracker = LagTracker({RAW: "clean"})
    app.sensors.add(app.monitor)  # as Faust does when the app starts
    app.sensors.add(tracker)
    quiet_monitor(app)  # type: ignore[arg-type]
    quiet_monitor(app)  # type: ignore[arg-type]  (twice is harmless)
    assert set(app.sensors) == {tracker}
    app.sensors.on_message_out(TP(RAW, 0), 4, SimpleNamespace(timestamp=T0))
    assert tracker.finished[TP(RAW, 0)][0] == 4 and app.monitor.messages_active == 0
