"""Consumer lag per partition this worker reads, measured on a Faust timer.

A Faust sensor learns which record each partition's streams last finished (`on_message_out`
fires when every agent reading the record is done with it); the timer compares that with
the partition's highwater and sets the lag gauges. Partitions are reported by the worker
they are assigned to, so summing the gauges over workers gives the consumer group's lag.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
import time

import faust
from faust.sensors import Sensor
from faust.types import TP, Message

from streams.metrics import METRICS, Metrics
from streams.monitoring.logic import Progress, measure, processed, stalled
from streams.settings import Settings

log = logging.getLogger(__name__)

POSITION_TIMEOUT_SECONDS = 2.0


class LagTracker(Sensor):
    """Remembers per partition what this worker finished; `report` sets the gauges."""

    def __init__(
        self, stages: dict[str, str], metrics: Metrics = METRICS, stall_seconds: float = 120.0
    ) -> None:
        super().__init__()
        self.stages, self.metrics, self.stall_seconds = stages, metrics, stall_seconds
        self.progress: dict[TP, Progress] = {}
        #: The last record finished per partition since the last report: (offset, Kafka
        #: timestamp, when). Kept raw, one tuple a record (three records an article), and
        #: folded into `progress` when the gauges are set.
        self.finished: dict[TP, tuple[int, float | None, float]] = {}
        #: Partitions behind with no progress for stall_seconds, as of the last report.
        self.stalled: set[TP] = set()
        #: When `report` last completed (epoch seconds); None before the consumer runs.
        self.reported_at: float | None = None

    def on_message_out(self, tp: TP, offset: int, message: Message) -> None:
        if tp.topic in self.stages:
            self.finished[tp] = (offset, message.timestamp, time.time())

    def _fold(self) -> None:
        """What was finished since the last report, into each partition's progress."""
        finished, self.finished = self.finished, {}
        for tp, (offset, timestamp, when) in finished.items():
            known = self.progress.get(tp) or Progress(first_seen=when)
            self.progress[tp] = processed(known, offset, timestamp, when)

    async def report(self, consumer: faust.types.ConsumerT, now: float) -> None:
        """Set the lag of every assigned input partition; forget partitions now elsewhere."""
        self._fold()
        assigned = {tp for tp in consumer.assignment() if tp.topic in self.stages}
        for tp in set(self.progress) - assigned:
            self._forget(tp)
        stuck = set()
        for tp in sorted(assigned):
            known = self.progress.get(tp) or Progress(first_seen=now)
            position = None if known.processed_offset is not None else await _position(consumer, tp)
            self.progress[tp], lag = measure(known, consumer.highwater(tp), position, now)
            if stalled(self.progress[tp], lag, now, self.stall_seconds):
                stuck.add(tp)
            if lag is not None:
                labels = (self.stages[tp.topic], tp.topic, str(tp.partition))
                self.metrics.consumer_lag_messages.labels(*labels).set(lag.messages)
                self.metrics.consumer_lag_seconds.labels(*labels).set(lag.seconds)
        self.stalled, self.reported_at = stuck, now

    def _forget(self, tp: TP) -> None:
        del self.progress[tp]
        self.finished.pop(tp, None)
        labels = (self.stages[tp.topic], tp.topic, str(tp.partition))
        for gauge in (self.metrics.consumer_lag_messages, self.metrics.consumer_lag_seconds):
            with contextlib.suppress(KeyError):  # never reported: Kafka gave no highwater
                gauge.remove(*labels)


async def _position(consumer: faust.types.ConsumerT, tp: TP) -> int | None:
    try:
        return await asyncio.wait_for(consumer.position(tp), POSITION_TIMEOUT_SECONDS)
    except Exception:  # not assigned any more, or not fetched yet: try again next time
        return None


def agent_input_stages(app: faust.App) -> dict[str, str]:
    """Kafka topic -> the stage (its module's STAGE) of the agent that reads it.

    Taken from the agents themselves, so a stage's internal topics (the clean stage's dedup
    topic) are measured too; tables' changelogs and Faust's own topics are not.
    """
    stages = {}
    for agent in app.agents.values():
        stage = getattr(sys.modules.get(agent.fun.__module__), "STAGE", agent.name)
        for topic in getattr(agent.channel, "topics", ()):
            stages[topic] = stage
    return stages


def install(app: faust.App, settings: Settings) -> LagTracker:
    """Add the tracker to the app's sensors and report lag every few seconds."""
    tracker = LagTracker({}, stall_seconds=settings.monitoring.stall_seconds)
    app.sensors.add(tracker)

    @app.task
    async def map_input_topics() -> None:  # at start: every agent is declared by then
        tracker.stages.update(agent_input_stages(app))
        quiet_monitor(app)

    @app.timer(settings.monitoring.lag_interval_seconds, name="newsradar.consumer_lag")
    async def report_lag() -> None:
        try:
            await tracker.report(app.consumer, time.time())
        except Exception:  # before the consumer runs or mid-rebalance: next tick will do
            log.debug("consumer lag not measured this time", exc_info=True)

    return tracker


def quiet_monitor(app: faust.App) -> None:
    """Take Faust's Monitor out of the sensors every record is announced to.

    It keeps statistics of each record read (four calls a record, about 4 µs of Python:
    dicts, deques, clocks) that only Faust's debug pages show (`/stats`, served with
    `debug=True`); our metrics are our own. The consumer still tells it each partition's
    end and commits directly (`app.monitor`), which costs nothing per record.
    """
    if app.monitor in set(app.sensors):
        app.sensors.remove(app.monitor)
