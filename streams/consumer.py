"""Faust's Kafka transport, fixed so that no offset is committed past a record never processed.

faust-streaming 0.15 commits, per partition, the end of the first run of consecutive
acknowledged offsets, and checks where that run starts only loosely (one missing record is
allowed, none is checked on a partition without a committed offset, and offsets a delivery
jumped over count as acknowledged). Records can go missing before that run in several
ways, all seen while a worker started with articles already waiting, or got a partition
back (the article was gone for good):

- a stream that receives a record while the app's flow is stopped (recovery after a
  rebalance has not finished), or from an older consumer generation, skips it and still
  acknowledges it "so that the lag does not grow";
- records fetched while no channel was subscribed, or thrown away by a fetch that a
  rebalance interrupted, are never acknowledged, but the consumer's position moved past them;
- after a rebalance Faust seeks every partition "to its committed offset", and leaves alone
  one that has none (or has 0), wherever a thrown-away fetch left its position;
- records a partition's delivery jumped over become a "gap" that Faust commits past as if
  acknowledged (meant for compacted or transactional topics, where offsets skip).

So: every partition's start after a rebalance is remembered (its committed offset, or where
`consumer_auto_offset_reset` puts a group without one); an offset is committed only when the
acknowledged run begins exactly there; a start still missing after `PATIENCE_SECONDS` (no
record takes that long: it was thrown away) makes the partition read again from there.
A skipped record is left unacknowledged and its partition is read again from it, as is the
first record a delivery jumped over that no stream holds or acknowledged. A record read
again is processed again: at least once, with outputs that make a repeat harmless (see the
README's "Delivery guarantees"). A start that is never delivered (the records were deleted
by retention meanwhile) is read again once, then accepted with a warning; so is a jump.

Not a commit, a wait: a topic Faust creates at a new app's first start (the internal dedup
topic) can be missing from the metadata the first assignment is made with, and stays
unassigned until the metadata's max age (five minutes); the consumer asks for the
metadata again while a subscribed topic has none.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Mapping
from time import monotonic
from typing import Any, ClassVar, cast

from faust.transport.drivers import aiokafka as faust_aiokafka
from faust.types import TP, ConsumerT, Message
from faust.types.tuples import ack_lock
from mode.utils.futures import notify

log = logging.getLogger(__name__)

#: How long the start of a partition's acknowledged run may be missing before it is taken
#: for thrown away and read again. A record in flight is acknowledged within seconds.
PATIENCE_SECONDS = 30.0
#: How often the consumer looks for partitions fetched past records nobody handled.
CHECK_SECONDS = 5.0
#: How many times a start passed on and lost is read again at once, before PATIENCE_SECONDS.
QUICK_TRIES = 3


#: How long the broker may hold a fetch that finds no records (aiokafka's fetch_max_wait_ms).
#: Faust hard-codes 1,500 ms. aiokafka keeps one fetch in flight per broker, and once the
#: busy partitions have records buffered, the next fetch asks only for the idle ones, so
#: the consumer waited up to that long after every buffer's worth of records (bench/).
FETCH_WAIT_MS = 50


class ConsumerThread(faust_aiokafka.AIOKafkaConsumerThread):
    def _create_worker_consumer(self, transport: Any) -> Any:
        consumer = super()._create_worker_consumer(transport)
        consumer._fetch_max_wait_ms = getattr(self.app, "fetch_wait_ms", FETCH_WAIT_MS)
        return consumer

    def unknown_topics(self) -> list[str]:
        """Subscribed topics the client's cluster metadata has no partitions for (read as it
        is): topics Faust created at this start, which the metadata fetched before missed."""
        consumer = self._consumer
        if consumer is None:
            return []
        cluster = consumer._client.cluster
        return sorted(t for t in consumer.subscription() if not cluster.partitions_for_topic(t))

    async def refresh_metadata(self) -> None:
        """Ask for the cluster's metadata now (in the consumer's thread); a change in a
        subscribed topic's partitions makes the group rebalance, which assigns them."""
        consumer = self._ensure_consumer()
        await self.cast_thread(consumer._client.force_metadata_update)

    def fetched_up_to(self, tp: TP) -> int | None:
        """The offset the consumer will fetch next on `tp`, if it has one (read as it is)."""
        consumer = self._consumer
        if consumer is None:
            return None
        assignment = consumer._subscription.subscription
        state = assignment.assignment.state_value(tp) if assignment else None
        return state.position if state is not None and state.has_valid_position else None

    async def seek_to_committed(self) -> Mapping[TP, int]:
        committed: Mapping[Any, int | None] = await super().seek_to_committed()
        consumer = self._ensure_consumer()
        changelogs = self.app.tables.changelog_topics  # positioned by Faust's recovery
        streams = {tp: o for tp, o in committed.items() if tp.topic not in changelogs}
        unset = [tp for tp, offset in streams.items() if not offset]
        if unset:
            reset = self.app.conf.consumer_auto_offset_reset
            seek = consumer.seek_to_end if reset == "latest" else consumer.seek_to_beginning
            await self.call_thread(seek, *unset)
        starts = {tp: offset for tp, offset in streams.items() if offset}
        for tp in unset:
            starts[tp] = await self.call_thread(consumer.position, tp)
        self.consumer.starts_at(starts)  # type: ignore[attr-defined]
        return committed  # type: ignore[return-value]


class Consumer(faust_aiokafka.Consumer):
    def _new_consumer_thread(self) -> ConsumerThread:
        return ConsumerThread(self, loop=self.loop, beacon=self.beacon)

    @property
    def _reads(self) -> _PartitionReads:
        reads = self.__dict__.get("_newsradar_reads")
        if reads is None:
            reads = self.__dict__["_newsradar_reads"] = _PartitionReads()
        return reads

    def starts_at(self, starts: Mapping[Any, int]) -> None:
        """Where each assigned partition is read from after this rebalance."""
        reads = self._reads
        reads.starts = {TP(tp.topic, tp.partition): offset for tp, offset in starts.items()}
        reads.rewinds.clear()
        reads.retried.clear()
        reads.missing.clear()
        reads.idle.clear()
        reads.passed.clear()
        reads.quick.clear()
        reads.sought.clear()
        reads.jumped.clear()

    def ack(self, message: Message) -> bool:
        if self.app.flow_control.is_active() and (
            message.generation_id == self.app.consumer_generation_id
        ):
            acked = bool(super().ack(message))
            self._reads.skipped.get(message.tp, set()).discard(message.offset)
            if not acked:  # read again after a rewind, or acked before: done with all the same
                with ack_lock:
                    self._unacked_messages.discard(message)
            return acked
        with ack_lock:  # skipped by the stream: done with, but not processed
            if not message.acked:
                message.acked = True
                self._unacked_messages.discard(message)
                self._reads.rewind(message.tp, message.offset)
                self._reads.skipped.setdefault(message.tp, set()).add(message.offset)
                notify(self._waiting_for_ack)
        return False

    async def getmany(self, timeout: float) -> AsyncIterator[tuple[TP, Message]]:
        self._look_for_thrown_away()
        await self._look_for_unknown_topics()
        await self._read_again()
        passed = self._reads.passed
        sought = self._reads.sought
        jumped = self._reads.jumped
        async for tp, message in super().getmany(timeout):
            if tp in sought:  # the first record since a read again: where it started
                log.info(
                    "%s[%s]: read again from %s, the first record is %s",
                    tp.topic,
                    tp.partition,
                    sought.pop(tp),
                    message.offset,
                )
            passed[tp] = max(message.offset, passed.get(tp, -1))
            if jumped and jumped.get(tp, (-1, 0, 0.0))[0] == message.offset:
                del jumped[tp]  # the jumped-over record came: the next jump counts afresh
            read = self._pass_on_again(tp, message.offset)
            yield tp, message
            if read is not None:  # passed on: the records up to `read` were, before
                self._read_offset[tp] = max(read, self._read_offset[tp] or read)

    def _pass_on_again(self, tp: TP, offset: int) -> int | None:
        """Faust passes a record on only from the partition's read offset up (the last
        offset it passed on, or where a seek put it) and drops one below it unseen. A
        partition comes back below it when a seek moved it back while records fetched
        before the seek were still being passed on: after every restart here (the
        recovery's seek to the committed offsets). Those records were passed on once,
        except one a stream skipped meanwhile (the flow stopped): that one is passed on
        now, instead of waiting PATIENCE_SECONDS, and the read offset put back after it.
        Returns the read offset to put back, if it was lowered."""
        read = self._read_offset[tp]
        if read is None or offset >= read or offset not in self._reads.skipped.get(tp, ()):
            return None
        self._read_offset[tp] = offset
        return int(read)

    async def _read_again(self) -> None:
        rewinds = self._reads.rewinds
        if not rewinds or not self.app.flow_control.is_active():
            return
        assigned = self.assignment()
        thread = cast(ConsumerThread | None, getattr(self, "_thread", None))
        for tp, offset in list(rewinds.items()):
            del rewinds[tp]
            committed = self._committed_offset[tp]
            if committed is not None and offset < committed:
                offset = committed  # processed and committed since: no need to read again
            if tp in assigned:  # else its new owner reads it from the committed offset
                log.info(
                    "reading %s[%s] again from offset %s (passed on up to %s, fetched to %s; %s)",
                    tp.topic,
                    tp.partition,
                    offset,
                    self._read_offset[tp],
                    thread.fetched_up_to(tp) if thread is not None else None,
                    self._whereabouts(tp, offset),
                )
                self._reads.passed.pop(tp, None)
                self._reads.sought[tp] = offset
                await self.seek(tp, offset)

    async def _look_for_unknown_topics(self) -> None:
        """A topic Faust created at this start (the internal dedup topic of a new app id) can
        be missing from the metadata the first assignment was made with: Faust then leaves
        it unassigned ("Ignoring missing topic") until the metadata's max age, five minutes
        in which its records wait. Ask for the metadata again until it lists the topic."""
        reads, now = self._reads, monotonic()
        if now - reads.topics_checked < CHECK_SECONDS:
            return
        reads.topics_checked = now
        thread = cast(ConsumerThread, self._thread)
        unknown = thread.unknown_topics()
        if unknown:
            if unknown != reads.unknown:
                log.info("no metadata yet for %s: asking the cluster again", ", ".join(unknown))
            await thread.refresh_metadata()
        reads.unknown = unknown

    def _look_for_thrown_away(self) -> None:
        """A partition fetched past its start whose records nobody holds or acknowledged for
        PATIENCE_SECONDS: the records were thrown away, and with no later record on the
        partition no commit would ever notice (`_new_offset` sees only gaps before acks).
        Read it again from its start."""
        reads, now = self._reads, monotonic()
        if now - reads.checked < CHECK_SECONDS:
            return
        reads.checked = now
        held = {m.tp for m in list(self._unacked_messages) if not m.acked}
        thread = cast(ConsumerThread, self._thread)
        for tp in list(reads.starts):
            start = self._start(tp)
            position = thread.fetched_up_to(tp)
            if (
                start is None
                or position is None
                or position <= start
                or tp in held
                or self._acked[tp]
            ):
                reads.idle.pop(tp, None)
                continue
            since = reads.idle.get(tp)
            if since is None or since[0] != position:  # still moving: in flight
                reads.idle[tp] = (position, now)
            elif now - since[1] >= PATIENCE_SECONDS:
                del reads.idle[tp]
                log.warning(
                    "%s[%s]: offsets %s..%s fetched and never handled; reading them again",
                    tp.topic,
                    tp.partition,
                    start,
                    position - 1,
                )
                reads.rewind(tp, start)

    def _new_offset(self, tp: TP) -> int | None:
        reads = self._reads
        if tp in reads.rewinds:
            return None  # a record waits to be read again: commit nothing past it
        acked = self._acked[tp]
        start = self._start(tp)
        if acked and start is not None and min(acked) > start and not self._gap[tp]:
            # Usually the missing record is still being processed: wait for it. Only one
            # missing for longer than any record takes was thrown away: read it again, once.
            first_seen = reads.missing.setdefault(tp, (start, monotonic()))
            if first_seen[0] != start:
                reads.missing[tp] = (start, monotonic())
                return None
            waited = monotonic() - first_seen[1]
            if waited < PATIENCE_SECONDS:
                if waited >= CHECK_SECONDS and self._passed_over(tp, start):
                    del reads.missing[tp]
                    reads.rewind(tp, start)
                return None
            del reads.missing[tp]
            if reads.retried.get(tp) != start:
                reads.retried[tp] = start
                reads.rewind(tp, start)
                return None
            log.warning(
                "%s[%s]: offsets %s..%s never arrived after a second read; going on (%s)",
                tp.topic,
                tp.partition,
                start,
                min(acked) - 1,
                self._whereabouts(tp, start),
            )
        reads.missing.pop(tp, None)
        offset: int | None = super()._new_offset(tp)
        if offset is not None:
            reads.starts[tp] = offset
            if reads.skipped.get(tp):
                reads.skipped[tp] = {o for o in reads.skipped[tp] if o >= offset}
        return offset

    async def _add_gap(self, tp: TP, offset_from: int, offset_to: int) -> None:
        """Faust calls this when the record it passes on (`offset_to`) is further than one
        past the last it passed on (`offset_from - 1`, or the offset a seek put it at), and
        takes the offsets in between for offsets without a record (compaction, transaction
        markers): it commits past them as if acknowledged. Our input topics are neither
        compacted nor transactional, so their offsets are contiguous and a jump means records
        fetched and never passed on (seen in the rebalance fault scenario: after a worker got
        partitions back, 2 to 10 of 20,000 articles were committed past, never classified).

        So the first offset in the jump, from where this partition's commits may go (its
        committed offset: below it everything was processed), that no stream acknowledged or
        holds is read again. The same offset still jumped over after QUICK_TRIES reads and
        CHECK_SECONDS without arriving in between (deleted by retention meanwhile) is then
        Faust's gap, with a warning."""
        if tp.topic in self.app.tables.changelog_topics:  # compacted: offsets do skip
            await super()._add_gap(tp, offset_from, offset_to)
            return
        missing = self._first_unhandled(tp, offset_from - 1, offset_to)
        if missing is None:
            return  # every record jumped over is acknowledged or in hand
        reads, now = self._reads, monotonic()
        last, tries, since = reads.jumped.get(tp, (missing, 0, now))
        if last != missing:
            tries, since = 0, now
        if tries < QUICK_TRIES or now - since < CHECK_SECONDS:
            reads.jumped[tp] = (missing, tries + 1, since)
            if tries < QUICK_TRIES:
                log.info(
                    "%s[%s]: passed on %s after %s; reading again from %s, never handled",
                    tp.topic,
                    tp.partition,
                    offset_to,
                    offset_from - 1,
                    missing,
                )
            reads.rewind(tp, missing)
            return
        del reads.jumped[tp]
        log.warning(
            "%s[%s]: offsets %s..%s jumped over again after %d reads in %.0f s; going on"
            " without them",
            tp.topic,
            tp.partition,
            missing,
            offset_to - 1,
            tries,
            now - since,
        )
        await super()._add_gap(tp, missing, offset_to)

    def _start(self, tp: TP) -> int | None:
        """Where the partition's acknowledged run must begin: its start (at the rebalance,
        or the last commit), or its committed offset where that is further.

        Below the committed offset every record was processed (by this worker, or by the
        partition's owner before a crash), and Faust ignores an acknowledgement there. A
        start left below it (seen after restarts: a start one below the committed offset
        on every partition, its record read again four times in 80 s, acknowledged in
        vain, then given up on, while nothing was committed on the partition) is raised
        to it, once, with a line in the log."""
        start = self._reads.starts.get(tp)
        committed = self._committed_offset[tp]
        if start is None or committed is None or committed <= start:
            return start
        log.info(
            "%s[%s]: start %s is below the committed offset %s; going on from there",
            tp.topic,
            tp.partition,
            start,
            committed,
        )
        self._reads.starts[tp] = committed
        return int(committed)

    def _first_unhandled(self, tp: TP, low: int, high: int) -> int | None:
        """The first offset in [low, high), from the partition's committed offset up, that
        was neither acknowledged since the last commit nor is held by a stream."""
        floors = (self._committed_offset[tp], self._reads.starts.get(tp))
        low = max([low, *(f for f in floors if f is not None)])
        if low >= high:
            return None
        acked = self._acked_index[tp]
        held = {m.offset for m in self._held_on(tp) if not m.acked}
        return next((o for o in range(low, high) if o not in acked and o not in held), None)

    def _held_on(self, tp: TP) -> list[Message]:
        """The partition's messages passed on and not yet finally acknowledged: a copy, as
        acknowledgements change the set while it is read."""
        return [m for m in list(self._unacked_messages) if m.tp == tp]

    def _whereabouts(self, tp: TP, offset: int) -> str:
        """What the consumer knows of a record read again, for the log: a record that is
        fetched again and still never acknowledged (seen after restarts, a minute and a
        half at a time; the README's Delivery guarantees) has to be lost somewhere between
        the fetch and the acknowledgement, and this says where it is not."""
        try:
            held = self._held_on(tp)
            mine = [m for m in held if m.offset == offset]
            state = (
                f"held: refcount {mine[0].refcount}, acked {mine[0].acked}"
                if mine
                else "not held by a stream"
            )
            acked = self._acked[tp]
            return (
                f"{state}; {len(held)} held on the partition; committed"
                f" {self._committed_offset[tp]}; first acknowledged"
                f" {min(acked) if acked else None}; skipped"
                f" {len(self._reads.skipped.get(tp, ()))}; flow"
                f" {'on' if self.app.flow_control.is_active() else 'off'}"
            )
        except Exception as error:  # a log line must never stop the consumer
            return f"unknown: {error!r}"

    def _passed_over(self, tp: TP, start: int) -> bool:
        """The start was passed on (a later record of the partition was, since it was last
        sought) and no stream holds it, CHECK_SECONDS after it was first missed:
        Faust lost it on the way (seen after restarts: a record passed on as the recovery
        sought the partition, never acknowledged). Read again now, not after
        PATIENCE_SECONDS, a few times a start; a record that never comes (deleted by
        retention) is left to the patient path, which gives up on it."""
        reads = self._reads
        if reads.passed.get(tp, -1) <= start:
            return False
        if any(m.offset == start for m in self._held_on(tp)):
            return False
        tries = reads.quick.get(tp, (start, 0))
        tries = (start, tries[1] + 1 if tries[0] == start else 1)
        reads.quick[tp] = tries
        return tries[1] <= QUICK_TRIES


class _PartitionReads:
    """Per partition: where reading started, and what must be read again."""

    def __init__(self) -> None:
        self.starts: dict[TP, int] = {}
        self.rewinds: dict[TP, int] = {}
        self.retried: dict[TP, int] = {}
        self.missing: dict[TP, tuple[int, float]] = {}  # (offset, since when, monotonic)
        self.idle: dict[TP, tuple[int, float]] = {}  # (fetch position, since when)
        self.checked = 0.0
        self.topics_checked = 0.0
        self.unknown: list[str] = []  # topics without metadata at the last look
        #: offsets a stream skipped and no stream processed since: kept across seeks
        self.skipped: dict[TP, set[int]] = {}
        self.passed: dict[TP, int] = {}  # the highest offset passed on since the last seek
        self.quick: dict[TP, tuple[int, int]] = {}  # (start, quick reads of it)
        self.sought: dict[TP, int] = {}  # read again from here; no record seen since
        #: (the first offset a delivery jumped over, reads of it, since) while it has not come
        self.jumped: dict[TP, tuple[int, int, float]] = {}

    def rewind(self, tp: TP, offset: int) -> None:
        self.rewinds[tp] = min(offset, self.rewinds.get(tp, offset))


class Transport(faust_aiokafka.Transport):
    Consumer: ClassVar[type[ConsumerT]] = Consumer
