"""The feed poller's memory across restarts: one record per feed on a compacted Kafka topic.

Why a compacted topic rather than a local file: the poller then keeps no state of its own
(a container can be recreated, or the poller moved to another machine, without a volume),
the state is as durable as the articles it describes, and compaction keeps exactly the
latest record per key, the same mechanism as Faust's changelog-backed tables. One record
per feed (key: the feed URL) holds its HTTP validators and seen entry ids, bounded by
MAX_SEEN_PER_FEED, so startup reads one small record per feed.

The poller writes a feed's state only after Kafka acknowledged that feed's new articles:
a crash in between republishes them once under the same keys (at least once, with
idempotent ids), never loses them.
"""

from __future__ import annotations

import logging
import time

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import NewTopic
from kafka.errors import TopicAlreadyExistsError
from pydantic import ValidationError

from streams.kafka_admin import connect, reached, read_records
from streams.settings import Settings
from streams.sources.feeds import FeedState

log = logging.getLogger(__name__)

LOAD_TIMEOUT_S = 60.0
SAVE_TIMEOUT_S = 30.0


class StateNotLoaded(RuntimeError):
    """The state topic could not be read to its end in time: polling now would republish."""


class KafkaFeedStates:
    """Load every feed's state at startup; save one feed's state after each change."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self.topic = settings.sources.feed_state_topic
        self._producer = connect(KafkaProducer, settings, "feed-state", acks="all")

    def close(self) -> None:
        self._producer.close()

    def ensure_topic(self) -> None:
        """Create the state topic compacted, with one partition (a few records per feed)."""
        admin = connect(KafkaAdminClient, self._settings, "feed-state")
        try:
            if self.topic in admin.list_topics():
                return
            topic = NewTopic(
                self.topic,
                num_partitions=1,
                replication_factor=self._settings.topics.replication_factor,
                topic_configs={"cleanup.policy": "compact"},
            )
            admin.create_topics([topic])
        except TopicAlreadyExistsError:
            pass
        finally:
            admin.close()

    def load(self, timeout: float = LOAD_TIMEOUT_S) -> dict[str, FeedState]:
        """The latest state of every feed, read from the beginning to the current end."""
        consumer = connect(
            KafkaConsumer, self._settings, "feed-state", group_id=None, enable_auto_commit=False
        )
        try:
            return self._read_to_end(consumer, time.monotonic() + timeout)
        finally:
            consumer.close()

    def _read_to_end(self, consumer: KafkaConsumer, deadline: float) -> dict[str, FeedState]:
        partitions = [TopicPartition(self.topic, p) for p in self._partitions(consumer, deadline)]
        consumer.assign(partitions)
        consumer.seek_to_beginning(*partitions)
        end = consumer.end_offsets(partitions)
        states: dict[str, FeedState] = {}
        for record in read_records(consumer, end, deadline):
            _apply(states, record.key, record.value)
        if not reached(consumer, end):
            raise StateNotLoaded(f"could not read {self.topic} to its end in time")
        return states

    def _partitions(self, consumer: KafkaConsumer, deadline: float) -> set[int]:
        while time.monotonic() < deadline:
            partitions = consumer.partitions_for_topic(self.topic)
            if partitions:
                return set(partitions)
            time.sleep(0.2)
        raise StateNotLoaded(f"topic {self.topic} not found")

    def save(self, state: FeedState) -> None:
        """Write one feed's state and wait for the broker's acknowledgement."""
        future = self._producer.send(
            self.topic, key=state.url.encode(), value=state.model_dump_json().encode()
        )
        future.get(timeout=SAVE_TIMEOUT_S)


def _apply(states: dict[str, FeedState], key: bytes | None, value: bytes | None) -> None:
    """A record replaces its feed's state; a tombstone forgets it; a bad record is skipped."""
    if key is None:
        return
    url = key.decode("utf-8", errors="replace")
    if value is None:
        states.pop(url, None)
        return
    try:
        states[url] = FeedState.model_validate_json(value)
    except ValidationError as error:
        log.warning("feed state for %s unreadable, starting it afresh: %s", url, error)
