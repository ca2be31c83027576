"""streams/consumer.py: a record a stream skipped is read again, and nothing commits past it.

The Faust consumer is built without a broker (its bookkeeping is plain Python); the app's
flow control and generation are stand-ins, as in the agent tests.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from types import SimpleNamespace
from typing import Any

import pytest
from faust.types import TP
from intervaltree import IntervalTree

from streams import consumer as consumer_module
from streams.consumer import Consumer

RAW = TP("news.raw", 1)


class Flow:
    def __init__(self, active: bool) -> None:
        self.active = active

    def is_active(self) -> bool:
        return self.active


def _consumer(*, flow: bool, generation: int = 3) -> Any:
    consumer: Any = object.__new__(Consumer)
    consumer.app = SimpleNamespace(
        flow_control=Flow(flow),
        consumer_generation_id=generation,
        topics=SimpleNamespace(acks_enabled_for=lambda topic: True),
        tables=SimpleNamespace(changelog_topics={"app-table-changelog"}),
    )
    consumer._committed_offset = defaultdict(lambda: None)
    consumer._acked = defaultdict(list)
    consumer._acked_index = defaultdict(set)
    consumer._gap = defaultdict(IntervalTree)
    consumer._unacked_messages = set()
    consumer._n_acked = 0
    consumer._waiting_for_ack = None
    consumer._read_offset = defaultdict(lambda: None)
    consumer.seeks = []
    consumer.log = SimpleNamespace(dev=lambda *args, **kwargs: None)

    async def _seek(tp: TP, offset: int) -> None:
        consumer.seeks.append((tp, offset))

    consumer._seek = _seek
    consumer.assignment = lambda: {RAW}
    return consumer


class Message:
    def __init__(self, offset: int, generation: int) -> None:
        self.tp, self.topic, self.offset = RAW, RAW.topic, offset
        self.generation_id, self.acked = generation, False


def _message(offset: int, generation: int = 3) -> Any:
    return Message(offset, generation)


def test_a_record_skipped_while_the_flow_is_stopped_is_not_acknowledged_and_blocks_commits():
    consumer = _consumer(flow=False)
    skipped = _message(0)
    consumer._unacked_messages.add(skipped)
    assert consumer.ack(skipped) is False
    assert skipped not in consumer._unacked_messages  # done with: shutdown does not wait for it
    consumer.app.flow_control.active = True
    assert consumer.ack(_message(1)) is True  # the next record is processed normally...
    assert consumer._new_offset(RAW) is None  # ...but no commit may cover the skipped one


def test_the_skipped_record_is_read_again_once_the_flow_runs():
    consumer = _consumer(flow=False)
    consumer.ack(_message(5))
    consumer.ack(_message(4))
    asyncio.run(consumer._read_again())
    assert consumer.seeks == []  # not while recovery is still going
    consumer.app.flow_control.active = True
    asyncio.run(consumer._read_again())
    assert consumer.seeks == [(RAW, 4)]  # from the earliest skipped
    consumer.ack(_message(4))
    consumer.ack(_message(5))
    assert consumer._new_offset(RAW) == 6  # read again, processed: commits move on


def test_a_record_of_an_older_generation_is_skipped_the_same_way():
    consumer = _consumer(flow=True, generation=4)
    assert consumer.ack(_message(7, generation=3)) is False
    assert consumer._new_offset(RAW) is None


def test_a_skipped_record_on_a_partition_now_elsewhere_is_left_to_its_new_owner():
    consumer = _consumer(flow=False)
    consumer.ack(_message(2))
    consumer.assignment = set
    consumer.app.flow_control.active = True
    asyncio.run(consumer._read_again())
    assert consumer.seeks == []
    assert consumer._new_offset(RAW) is None  # nothing acked here: nothing to commit


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The consumer module's monotonic clock: at 100 s until a test moves it (clock[0] += s)."""
    now = [100.0]
    monkeypatch.setattr(consumer_module, "monotonic", lambda: now[0])
    return now


def test_a_record_that_never_reached_a_stream_is_read_again_before_anything_is_committed(
    clock: list[float],
):
    consumer = _consumer(flow=True)
    consumer.starts_at({RAW: 0})  # a partition without a committed offset, read from 0
    consumer.ack(_message(1))  # offset 0 not acknowledged (yet?)
    assert consumer._new_offset(RAW) is None  # still in flight, maybe: no commit, no rewind
    clock[0] += consumer_module.PATIENCE_SECONDS - 1
    assert consumer._new_offset(RAW) is None
    asyncio.run(consumer._read_again())
    assert consumer.seeks == []
    clock[0] += 2  # longer than any record takes: it was thrown away
    assert consumer._new_offset(RAW) is None
    asyncio.run(consumer._read_again())
    assert consumer.seeks == [(RAW, 0)]
    consumer.ack(_message(0))
    assert consumer._new_offset(RAW) == 2
    consumer.ack(_message(2))
    assert consumer._new_offset(RAW) == 3  # and on from where the last commit ended


@pytest.mark.usefixtures("clock")  # standing still
def test_a_record_acknowledged_late_needs_no_second_read():
    consumer = _consumer(flow=True)
    consumer.starts_at({RAW: 0})
    consumer.ack(_message(1))
    assert consumer._new_offset(RAW) is None
    consumer.ack(_message(0))  # it was only slow
    assert consumer._new_offset(RAW) == 2
    asyncio.run(consumer._read_again())
    assert consumer.seeks == []


def test_records_that_never_come_back_are_given_up_on_after_one_second_read(
    clock: list[float],
):
    consumer = _consumer(flow=True)
    consumer.starts_at({RAW: 0})
    consumer.ack(_message(3))  # 0..2 deleted by retention meanwhile, say
    assert consumer._new_offset(RAW) is None
    clock[0] += consumer_module.PATIENCE_SECONDS + 1
    assert consumer._new_offset(RAW) is None  # read again...
    asyncio.run(consumer._read_again())
    assert consumer.seeks == [(RAW, 0)]
    assert consumer._new_offset(RAW) is None  # ...and still missing: wait once more
    clock[0] += consumer_module.PATIENCE_SECONDS + 1
    assert consumer._new_offset(RAW) == 4  # then go on (with a warning)


def _fetched_up_to(consumer: Any, position: int | None) -> None:
    consumer._thread = SimpleNamespace(fetched_up_to=lambda tp: position)


def test_a_record_thrown_away_with_no_later_record_is_read_again(clock: list[float]):
    """The open case of the commit guard: nothing acknowledged after the lost record, so no
    gap to notice; the fetch position says the consumer went past it."""
    consumer = _consumer(flow=True)
    consumer.starts_at({RAW: 7})  # committed up to 7
    _fetched_up_to(consumer, 8)  # offset 7 fetched, then thrown away: nothing holds it
    for _ in range(3):  # patience: it may be on its way to a stream
        consumer._look_for_thrown_away()
        clock[0] += consumer_module.CHECK_SECONDS
    asyncio.run(consumer._read_again())
    assert consumer.seeks == []
    clock[0] += consumer_module.PATIENCE_SECONDS
    consumer._look_for_thrown_away()
    asyncio.run(consumer._read_again())
    assert consumer.seeks == [(RAW, 7)]


@pytest.mark.parametrize("case", ["held by a stream", "acknowledged", "caught up", "moving"])
def test_a_partition_whose_records_are_in_hand_is_left_alone(clock: list[float], case: str):
    consumer = _consumer(flow=True)
    consumer.starts_at({RAW: 7})
    _fetched_up_to(consumer, 7 if case == "caught up" else 9)
    if case == "held by a stream":
        consumer._unacked_messages.add(_message(7))
    elif case == "acknowledged":
        consumer.ack(_message(8))
    for step in range(12):
        if case == "moving":
            _fetched_up_to(consumer, 9 + step)
        consumer._look_for_thrown_away()
        clock[0] += consumer_module.CHECK_SECONDS
    asyncio.run(consumer._read_again())
    assert consumer.seeks == []


class _Thread:
    """The consumer thread's view of the metadata: topics it has none for, and refreshes."""

    def __init__(self, unknown: list[str]) -> None:
        self.unknown, self.refreshes = unknown, 0

    def unknown_topics(self) -> list[str]:
        return list(self.unknown)

    async def refresh_metadata(self) -> None:
        self.refreshes += 1

    def fetched_up_to(self, tp: TP) -> int | None:
        return None


def test_a_topic_created_at_this_start_and_missing_from_the_metadata_is_asked_for_again(
    clock: list[float],
):
    """Faust creates the internal dedup topic at a new app's first start; the metadata the
    first assignment used may not list it yet, and Faust then leaves it unassigned for the
    metadata's max age (five minutes: the classify stage idle, its records waiting)."""
    consumer = _consumer(flow=True)
    consumer._thread = thread = _Thread(["app-clean-dedup"])
    for _ in range(3):
        asyncio.run(consumer._look_for_unknown_topics())
        clock[0] += consumer_module.CHECK_SECONDS / 2
    assert thread.refreshes == 2  # every CHECK_SECONDS, not every fetch
    thread.unknown = []
    clock[0] += consumer_module.CHECK_SECONDS
    asyncio.run(consumer._look_for_unknown_topics())
    assert thread.refreshes == 2  # known now: the rebalance that follows assigns it


def test_the_topics_without_metadata_are_the_subscribed_ones_the_cluster_has_no_partitions_for():
    thread: Any = object.__new__(consumer_module.ConsumerThread)
    partitions = {"news.raw": {0, 1}}
    thread._consumer = SimpleNamespace(
        subscription=lambda: frozenset({"news.raw", "app-clean-dedup"}),
        _client=SimpleNamespace(cluster=SimpleNamespace(partitions_for_topic=partitions.get)),
    )
    assert thread.unknown_topics() == ["app-clean-dedup"]
    partitions["app-clean-dedup"] = {0, 1}
    assert thread.unknown_topics() == []


def test_a_record_a_stream_skipped_is_passed_on_when_it_comes_back_below_the_read_offset(
    monkeypatch: pytest.MonkeyPatch,
):
    """After a restart the recovery seeks every partition to its committed offset while
    records fetched before the seek are still being passed on; they move Faust's read
    offset past the records fetched again after the seek, which Faust then drops unseen
    ("DROPPED MESSAGE ROFF"). Those were passed on once, except one a stream skipped
    meanwhile: it waited PATIENCE_SECONDS (a user saw an article stay unclassified 40 s
    after the rest), or was given up on after a second read dropped the same way."""
    from faust.transport.drivers import aiokafka as faust_aiokafka

    consumer = _consumer(flow=False)
    consumer.ack(_message(12))  # skipped by a stream while the flow was stopped
    consumer.app.flow_control.active = True
    consumer.starts_at({RAW: 10})  # the recovery's seek to the committed offset
    consumer._thread = _Thread([])
    consumer._committed_offset[RAW] = 10
    consumer._read_offset[RAW] = 20  # 10..19 passed on before the seek back to 10
    consumer.ack(_message(10))  # processed
    fetched = [_message(offset) for offset in range(10, 22)]

    async def parent_getmany(self: Any, timeout: float) -> Any:
        for message in fetched:
            yield message.tp, message

    monkeypatch.setattr(faust_aiokafka.Consumer, "getmany", parent_getmany)
    passed_on = []

    async def drain() -> None:  # what Faust's Consumer._drain_messages does with each
        async for tp, message in consumer.getmany(1.0):
            read = consumer._read_offset[tp]
            if read is None or message.offset >= read:
                passed_on.append(message.offset)
                consumer._read_offset[tp] = message.offset

    asyncio.run(drain())
    assert passed_on == [12, 20, 21]  # the skipped one again; the others once, as before


@pytest.mark.parametrize("case", ["lost", "held by a stream", "not passed on yet"])
def test_a_start_passed_on_and_lost_is_read_again_without_waiting_for_patience(
    clock: list[float], case: str
):
    """Seen after restarts: a record passed on as the recovery sought its partition, never
    acknowledged, while the records after it were. It waited PATIENCE_SECONDS (30 s: a
    user saw an article stay unclassified 40 s after the rest)."""
    consumer = _consumer(flow=True)
    consumer.starts_at({RAW: 7})
    if case != "not passed on yet":
        consumer._reads.passed[RAW] = 9  # 7, 8 and 9 were passed on
    if case == "held by a stream":
        consumer._unacked_messages.add(_message(7))
    consumer.ack(_message(8))
    consumer.ack(_message(9))
    assert consumer._new_offset(RAW) is None  # the start is missing: no commit
    clock[0] += consumer_module.CHECK_SECONDS
    assert consumer._new_offset(RAW) is None
    expected = {RAW: 7} if case == "lost" else {}
    assert consumer._reads.rewinds == expected


def _jump(consumer: Any, last: int, passed_on: int) -> None:
    """What Faust's _drain_messages does when it passes on `passed_on` with its read offset
    at `last` (the last offset passed on, or where a seek put it)."""
    asyncio.run(consumer._add_gap(RAW, last + 1, passed_on))


def test_records_a_delivery_jumped_over_are_read_again_not_committed_past(clock: list[float]):
    """Seen in the rebalance fault scenario: after a worker got partitions back, the records
    after the seek position were never passed on, Faust counted them as a gap, and its
    commit went past 2 to 10 articles that were never classified."""
    consumer = _consumer(flow=True)
    consumer.starts_at({RAW: 10})
    consumer._committed_offset[RAW] = 10
    consumer.ack(_message(10))
    consumer.ack(_message(11))
    _jump(consumer, last=11, passed_on=15)  # 12, 13 and 14 were fetched and never passed on
    consumer.ack(_message(15))
    assert not consumer._gap[RAW]  # not Faust's gap...
    assert consumer._new_offset(RAW) is None  # ...nothing committed while they wait
    asyncio.run(consumer._read_again())
    assert consumer.seeks == [(RAW, 12)]  # ...read again from the first never handled
    for offset in (12, 13, 14, 15):
        consumer.ack(_message(offset))
    assert consumer._new_offset(RAW) == 16


@pytest.mark.usefixtures("clock")
def test_a_jump_over_records_acknowledged_or_in_hand_needs_no_second_read():
    consumer = _consumer(flow=True)
    consumer.starts_at({RAW: 10})
    consumer.ack(_message(10))
    consumer.ack(_message(12))
    consumer._unacked_messages.add(_message(11))  # a stream holds it
    _jump(consumer, last=10, passed_on=13)  # the read offset was put back to 10 meanwhile
    assert consumer._reads.rewinds == {}
    assert not consumer._gap[RAW]


@pytest.mark.usefixtures("clock")
def test_a_jump_from_a_read_offset_below_the_committed_one_is_read_again_from_the_commit():
    """The read offset can lag the committed offset (a seek back while an older fetch was
    still passed on); records below the commit were processed, and reading them again
    would only be refused: Faust acknowledges nothing below its committed offset."""
    consumer = _consumer(flow=True)
    consumer.starts_at({RAW: 40})
    consumer._committed_offset[RAW] = 40
    _jump(consumer, last=5, passed_on=45)
    assert consumer._reads.rewinds == {RAW: 40}


def test_the_seek_position_itself_counts_when_it_was_never_passed_on(clock: list[float]):
    consumer = _consumer(flow=True)
    consumer.starts_at({RAW: 20})
    _jump(consumer, last=20, passed_on=24)  # the seek put the read offset at 20
    assert consumer._reads.rewinds == {RAW: 20}


def test_a_jump_that_keeps_coming_back_is_given_up_on_after_a_few_reads(clock: list[float]):
    """Records deleted by retention before they were processed: reading them again lands
    on the same jump. After QUICK_TRIES reads and CHECK_SECONDS, Faust's gap goes past."""
    consumer = _consumer(flow=True)
    consumer.starts_at({RAW: 0})
    for _ in range(consumer_module.QUICK_TRIES):
        _jump(consumer, last=0, passed_on=50)
        assert consumer._reads.rewinds == {RAW: 0}
        asyncio.run(consumer._read_again())
    clock[0] += consumer_module.CHECK_SECONDS - 1
    _jump(consumer, last=0, passed_on=50)  # tried enough, but not for long enough
    assert consumer._reads.rewinds == {RAW: 0}
    asyncio.run(consumer._read_again())
    clock[0] += 1
    _jump(consumer, last=0, passed_on=50)
    assert consumer._reads.rewinds == {}
    assert consumer._gap[RAW].overlaps(0, 50)
    consumer.ack(_message(50))
    assert consumer._new_offset(RAW) == 51  # gone for good: going on


def test_a_jumped_over_record_that_arrives_starts_the_count_again(
    clock: list[float], monkeypatch: pytest.MonkeyPatch
):
    from faust.transport.drivers import aiokafka as faust_aiokafka

    consumer = _consumer(flow=True)
    consumer.starts_at({RAW: 0})
    consumer._thread = _Thread([])
    for _ in range(consumer_module.QUICK_TRIES):
        _jump(consumer, last=0, passed_on=9)
    fetched = [_message(0)]

    async def parent_getmany(self: Any, timeout: float) -> Any:
        for message in fetched:
            yield message.tp, message

    monkeypatch.setattr(faust_aiokafka.Consumer, "getmany", parent_getmany)

    async def drain() -> None:
        async for _ in consumer.getmany(1.0):
            pass

    asyncio.run(drain())
    assert consumer._reads.jumped == {}
    clock[0] += consumer_module.CHECK_SECONDS
    consumer._reads.rewinds.clear()
    _jump(consumer, last=0, passed_on=9)  # a later jump over 0 is read again, not given up on
    assert consumer._reads.rewinds == {RAW: 0}


@pytest.mark.usefixtures("clock")
def test_a_changelog_topics_jumps_are_faust_s_gaps():
    """Changelogs are compacted: offsets without a record are normal there."""
    consumer = _consumer(flow=True)
    changelog = TP("app-table-changelog", 1)
    asyncio.run(consumer._add_gap(changelog, 4, 9))
    assert consumer._reads.rewinds == {}
    assert consumer._gap[changelog].overlaps(4, 9)


def test_the_log_of_a_record_read_again_says_whether_a_stream_holds_it():
    """The slow restart (README, Delivery guarantees): a record fetched again and never
    acknowledged. The log line of each read-again says where it is not lost."""
    consumer = _consumer(flow=True)
    held = _message(7)
    held.refcount = 1
    consumer._unacked_messages.add(held)
    consumer._acked[RAW].extend([9, 10])
    consumer._committed_offset[RAW] = 7
    said = consumer._whereabouts(RAW, 7)
    assert "held: refcount 1, acked False" in said
    assert "committed 7" in said and "first acknowledged 9" in said and "flow on" in said
    assert consumer._whereabouts(RAW, 8).startswith("not held by a stream")
    consumer._unacked_messages = None  # whatever goes wrong, a log line stops nothing
    assert consumer._whereabouts(RAW, 7).startswith("unknown:")


def test_a_start_below_the_committed_offset_is_raised_to_it_and_commits_go_on():
    """Seen after restarts: the start one below the committed offset on every partition,
    its record read again and acknowledged in vain (Faust ignores an acknowledgement below
    the committed offset), and nothing committed on the partition for a minute and a half."""
    consumer = _consumer(flow=True)
    consumer.starts_at({RAW: 5})
    consumer._committed_offset[RAW] = 6  # record 5 was processed and committed
    assert consumer.ack(_message(5)) is False  # Faust: below the commit, not counted
    consumer.ack(_message(6))
    consumer.ack(_message(7))
    assert consumer._new_offset(RAW) == 8
    assert consumer._reads.starts[RAW] == 8
    asyncio.run(consumer._read_again())
    assert consumer.seeks == []


def test_a_partition_is_never_read_again_from_below_its_committed_offset():
    consumer = _consumer(flow=True)
    consumer.starts_at({RAW: 0})
    consumer._reads.rewind(RAW, 3)
    consumer._committed_offset[RAW] = 10  # 3..9 were processed and committed meanwhile
    asyncio.run(consumer._read_again())
    assert consumer.seeks == [(RAW, 10)]
