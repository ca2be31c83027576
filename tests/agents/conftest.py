"""The Faust testing guide's app fixture, and a recorder in place of Kafka for what agents send.

The agents send through `streams.stage.Publisher`, their table writes too (to the tables'
changelog topics, through `streams.stage.TableWriter`), a batch per topic partition; here
every batch is recorded and acknowledged at once, table writes decoded, as (table,
partition, key, value), in `Sent.changelog` only. `test_context` streams have no consumer
generation or assignment, so every event counts as current.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any
from unittest.mock import AsyncMock, patch

import faust
import pytest
from faust.serializers import codecs
from prometheus_client import CollectorRegistry

from streams.metrics import Metrics
from streams.steps import Output


@pytest.fixture(scope="session")
def event_loop() -> Iterator[asyncio.AbstractEventLoop]:
    loop = asyncio.new_event_loop()
    yield loop
    loop.close()


@pytest.fixture(scope="session")
def app() -> faust.App:
    from streams.app import app

    app.finalize()
    app.conf.store = "memory://"
    app.flow_control.resume()
    return app


class Sent(defaultdict[str, list[Output]]):
    """Records sent, by Kafka topic name; `failures` makes the next sends fail, in order."""

    def __init__(self) -> None:
        super().__init__(list)
        self.failures: list[BaseException] = []
        self.changelog: list[tuple[str, int | None, Any, Any]] = []

    def values(self, topic: str) -> list[bytes]:  # type: ignore[override]
        return [o.value for o in self[topic]]

    def keys_of(self, topic: str) -> list[bytes]:
        return [o.key for o in self[topic]]


@pytest.fixture
def sent(app: faust.App) -> Iterator[Sent]:
    """Every record the agents send and every table write, recorded instead of sent."""
    from streams.alerting.agents import alert_state
    from streams.classification.agents import seen
    from streams.cleaning.agents import furniture
    from streams.stage import Publisher

    recorded = Sent()

    tables = {
        table.changelog_topic.get_topic_name(): (name, table)
        for name, table in (("seen", seen), ("alert-state", alert_state), ("furniture", furniture))
    }

    async def partitions(self: Publisher, sends: Any) -> list[int]:
        return [out.partition or 0 for _, out in sends]

    async def send_batches(
        self: Publisher, topic: str, partition: int, outs: Any
    ) -> list[tuple[int, int, asyncio.Future[Any]]]:
        """One batch of them all, recorded and acknowledged at once (or failed: `failures`)."""
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        if recorded.failures:
            future.set_exception(recorded.failures.pop(0))
            return [(0, len(outs), future)]
        first = None
        for out in outs:
            if topic in tables:
                name, table = tables[topic]
                key = codecs.loads(table.key_serializer, out.key)
                value = (
                    None if out.value is None else codecs.loads(table.value_serializer, out.value)
                )
                recorded.changelog.append((name, partition, key, value))
                offset = len(recorded.changelog) - 1
            else:
                recorded[topic].append(out)
                offset = len(recorded[topic]) - 1
            first = offset if first is None else first
        future.set_result(SimpleNamespace(topic=topic, partition=partition, offset=first))
        return [(0, len(outs), future)]

    everything_current = staticmethod(lambda app, events: list(events))
    with (
        patch.object(Publisher, "_partitions", partitions),
        patch.object(Publisher, "_send_batches", send_batches),
        patch("streams.cleaning.agents.current", everything_current),
        patch("streams.classification.agents.current", everything_current),
        patch("streams.alerting.agents.current", everything_current),
    ):
        yield recorded


@pytest.fixture(autouse=True)
def metrics(monkeypatch: pytest.MonkeyPatch) -> Metrics:
    """A fresh registry for each test: the agents look `streams.metrics.METRICS` up per batch."""
    fresh = Metrics(CollectorRegistry())
    monkeypatch.setattr("streams.metrics.METRICS", fresh)
    return fresh


def value(metrics: Metrics, name: str, **labels: str) -> float:
    return metrics.registry.get_sample_value(name, labels) or 0.0


class Topics:
    """The Kafka topic names the agents write, as the worker's settings name them."""

    def __init__(self) -> None:
        from streams import topics
        from streams.app import settings

        self.dedup = topics.dedup.get_topic_name()
        self.raw = settings.topics.raw
        self.clean, self.classified = settings.topics.clean, settings.topics.classified
        self.matches, self.alerts = settings.topics.matches, settings.topics.alerts
        self.deadletter = settings.topics.deadletter


@pytest.fixture(scope="session")
def names() -> Topics:
    return Topics()


@pytest.fixture(autouse=True)
def tails() -> Iterator[AsyncMock]:
    """The alert agent's read of the alert topic's tail (no Kafka here): empty unless set."""
    from streams.alerting.agents import TAILS

    with patch.object(TAILS, "ids", AsyncMock(return_value=frozenset())) as ids:
        yield ids


def run(loop: asyncio.AbstractEventLoop, coroutine) -> object:  # type: ignore[no-untyped-def]
    return loop.run_until_complete(coroutine)


async def put_all(  # type: ignore[no-untyped-def]
    agent, values: list[bytes], key: bytes = b"k1", timestamps=None, headers=None
) -> None:
    """Every value into the agent's test stream; back once it acknowledged them all (the
    agents acknowledge a batch after sending its records), at most 10 s later."""
    async with agent.test_context() as context:
        events = []
        for index, value in enumerate(values):
            timestamp = timestamps[index] if timestamps else None
            events.append(await context.put(value, key=key, timestamp=timestamp, headers=headers))
        for _ in range(1000):
            if all(event.message.acked for event in events):
                return
            await asyncio.sleep(0.01)
        raise AssertionError("the agent did not acknowledge its records within 10 s")
