"""`newsradar replay --from-deadletters`: re-inject dead-lettered records after a fix.

Each chosen letter's original value, key and headers go back onto the topic the record
was read from (or --to), with a `newsradar-replayed-from: <dead-letter topic>/<partition>/
<offset>` header, so a record that fails again says in its new dead letter that it was a
replay.

Each letter is replayed once, whatever filters later runs use: once Kafka acknowledged the
re-injected record, the letter's `partition/offset` is written to a ledger, the compacted
topic `<dead-letter topic>.replayed`, and every run skips what the ledger holds. (A
consumer group's offset could not do this: `--reason A` would move it past the letters of
reason B, which a later `--reason B` then never sees.) A run reads the dead-letter topic
up to the end it had when it started, so the letters of records that fail again during
the run wait for the next run: no loop. A crash between the acknowledgement and the
ledger write replays that letter once more on the next run (at least once; the clean
stage's dedup and the idempotent ids downstream absorb the repeat).
"""

from __future__ import annotations

import argparse
import time
from collections import Counter
from contextlib import suppress
from dataclasses import dataclass, field

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer
from kafka.admin import NewTopic
from kafka.errors import KafkaError, TopicAlreadyExistsError
from kafka.producer.future import FutureRecordMetadata
from pydantic import ValidationError

from schemas import DeadLetter
from streams.commands.deadletters import add_filters, letter_filter, letters, open_consumer
from streams.commands.inputs import utcnow
from streams.deadletters import (
    LetterFilter,
    Replayed,
    ledger_key,
    position,
    preview,
    replay_headers,
    replay_topic,
    was_replayed,
)
from streams.kafka_admin import (
    assign_topic,
    connect,
    missing_topics,
    reached,
    read_records,
    unreachable,
)
from streams.settings import Settings
from streams.terminal import one_line, printable

NAME = "replay"
HELP = "re-inject dead letters onto their topics after a fix (each letter once)"

#: Letters sent before waiting for the broker's acknowledgements and writing the ledger.
BATCH = 500
#: A dry run's line about one letter at most: position, stage, reason, topic and preview.
LINE_CHARS = 400


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--from-deadletters",
        action="store_true",
        required=True,
        help="replay records from the dead-letter topic (the only source for now)",
    )
    add_filters(parser)
    parser.add_argument("--to", metavar="TOPIC", help="send to this topic instead of the origin")
    parser.add_argument(
        "--dry-run", action="store_true", help="list what would be replayed; send nothing"
    )
    parser.add_argument(
        "--timeout", type=float, default=300.0, help="give up after this many seconds (exit 1)"
    )


@dataclass
class Tally:
    """What a run did, for the closing report."""

    replayed: Counter[tuple[str, str]] = field(default_factory=Counter)
    already: int = 0
    not_asked: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)

    def failure(self, message: str) -> None:
        self.failed += 1
        if len(self.errors) < 5:
            self.errors.append(message)


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Replay the chosen letters not replayed before; print what happened; exit 1 on a failure."""
    deadline = time.monotonic() + args.timeout
    try:
        tally = _run(args, settings, deadline)
    except KafkaError as error:
        raise SystemExit(unreachable(settings, error)) from None
    print(format_report(tally, args.dry_run))
    return 1 if tally.failed else 0


def _run(args: argparse.Namespace, settings: Settings, deadline: float) -> Tally:
    consumer = open_consumer(settings, "replay", args.timeout)
    admin = connect(KafkaAdminClient, settings, "replay")
    producer = None if args.dry_run else connect(KafkaProducer, settings, "replay", acks="all")
    try:
        topics = set(admin.list_topics())
        if settings.topics.deadletter not in topics:  # nothing to replay, nor will there be
            raise SystemExit(missing_topics([settings.topics.deadletter]))
        if not args.dry_run:
            _ensure_ledger(admin, settings, topics)
        ledger = _read_ledger(consumer, settings.topics.replay_ledger, topics, deadline)
        replay = _Replay(args, settings, producer, ledger, topics, deadline)
        partitions = assign_topic(consumer, settings.topics.deadletter, deadline)
        consumer.seek_to_beginning(*partitions)
        end = consumer.end_offsets(partitions)
        for record, letter in letters(consumer, end, deadline):
            replay.offer(record.partition, record.offset, letter)
        replay.settle()
        if not reached(consumer, end):
            replay.tally.failure("--timeout reached before the end of the dead-letter topic")
        return replay.tally
    finally:
        for client in (producer, admin, consumer):
            if client is not None:
                client.close()


def _ensure_ledger(admin: KafkaAdminClient, settings: Settings, topics: set[str]) -> None:
    """Create the ledger compacted (the latest record per letter), before anything reads it:
    a read would let the broker auto-create it uncompacted."""
    name = settings.topics.replay_ledger
    if name in topics:
        return
    ledger = NewTopic(
        name,
        num_partitions=1,
        replication_factor=settings.topics.replication_factor,
        topic_configs={"cleanup.policy": "compact"},
    )
    with suppress(TopicAlreadyExistsError):
        admin.create_topics([ledger])
    topics.add(name)


def _read_ledger(
    consumer: KafkaConsumer, topic: str, topics: set[str], deadline: float
) -> dict[str, Replayed]:
    """Every letter replayed so far, by `partition/offset` (none before the first replay)."""
    if topic not in topics:
        return {}
    partitions = assign_topic(consumer, topic, deadline)
    consumer.seek_to_beginning(*partitions)
    end = consumer.end_offsets(partitions)
    ledger: dict[str, Replayed] = {}
    for record in read_records(consumer, end, deadline):
        _apply(ledger, record.key, record.value)
    if not reached(consumer, end):
        raise SystemExit(f"newsradar: could not read {topic} to its end in time")
    return ledger


def _apply(ledger: dict[str, Replayed], key: bytes | None, value: bytes | None) -> None:
    if key is None:
        return
    if value is None:  # a tombstone: that letter may be replayed again
        ledger.pop(key.decode(), None)
        return
    with suppress(ValidationError):  # not ours: skipping it can only replay a letter again
        ledger[key.decode()] = Replayed.model_validate_json(value)


class _Replay:
    """Sends chosen letters in batches; records each in the ledger once acknowledged."""

    def __init__(
        self,
        args: argparse.Namespace,
        settings: Settings,
        producer: KafkaProducer | None,
        ledger: dict[str, Replayed],
        topics: set[str],
        deadline: float,
    ) -> None:
        self.deadline = deadline
        self.wanted: LetterFilter = letter_filter(args)
        self.to: str | None = args.to
        self.producer, self.ledger, self.topics = producer, ledger, topics
        self.source, self.ledger_topic = settings.topics.deadletter, settings.topics.replay_ledger
        self.inputs = {
            "clean": settings.topics.raw,
            "classify": settings.topics.clean,
            "alert": settings.topics.matches,
        }
        self.pending: list[tuple[str, str, DeadLetter, FutureRecordMetadata]] = []
        self.tally = Tally()

    def offer(self, partition: int, offset: int, letter: DeadLetter) -> None:
        key = ledger_key(partition, offset)
        if not self.wanted.wants(letter):
            self.tally.not_asked += 1
        elif was_replayed(self.ledger, key, letter):
            self.tally.already += 1
        else:
            self._send(key, position(self.source, partition, offset), letter)

    def _send(self, key: str, where: str, letter: DeadLetter) -> None:
        topic = replay_topic(letter, self.to, self.inputs)
        if letter.truncated:
            self.tally.failure(f"{where}: only the start of the original was kept: replay it anew")
            return
        if topic is None or topic not in self.topics:
            self.tally.failure(f"{where}: no topic {topic or '(unknown)'} to replay it to")
            return
        if self.producer is None:  # --dry-run
            line = f"would replay {where} ({letter.stage} {letter.reason}) to {topic}: "
            print(one_line(line + preview(letter), LINE_CHARS))
            self.tally.replayed[(letter.stage, letter.reason)] += 1
            return
        future = self.producer.send(
            topic,
            key=letter.key_bytes(),
            value=letter.original_bytes(),
            headers=replay_headers(letter, where),
        )
        self.pending.append((key, where, letter, future))
        if len(self.pending) >= BATCH:
            self.settle()

    def settle(self) -> None:
        """Wait for the broker's acknowledgements; write the acknowledged letters' ledger
        records and wait for those too."""
        producer = self.producer
        if producer is None or not self.pending:
            return
        producer.flush(timeout=self._remaining())
        marks = []
        for key, where, letter, future in self.pending:
            if future.succeeded():
                marks.append(
                    producer.send(self.ledger_topic, key=key.encode(), value=_mark(letter, future))
                )
                self.tally.replayed[(letter.stage, letter.reason)] += 1
            else:
                self.tally.failure(f"{where}: not replayed: {future.exception}")
        producer.flush(timeout=self._remaining())
        for mark in marks:
            if not mark.succeeded():
                self.tally.failure(f"replayed, but not recorded as replayed: {mark.exception}")
        self.pending = []

    def _remaining(self) -> float:
        return max(1.0, self.deadline - time.monotonic())


def _mark(letter: DeadLetter, sent: FutureRecordMetadata) -> bytes:
    """The ledger record of a letter whose replay `sent` was acknowledged."""
    meta = sent.value
    return (
        Replayed(
            failed_at=letter.failed_at,
            replayed_at=utcnow(),
            stage=letter.stage,
            reason=letter.reason,
            to=position(meta.topic, meta.partition, meta.offset),
        )
        .model_dump_json()
        .encode()
    )


def format_report(tally: Tally, dry_run: bool) -> str:
    """Replayed per stage and reason, then what was skipped and what failed."""
    verb = "would replay" if dry_run else "replayed"
    lines = [f"{verb} {tally.replayed.total()} dead letter(s)"]
    for (stage, reason), count in sorted(tally.replayed.items()):
        lines.append(f"  {stage} {reason}: {count}")
    lines.append(
        f"skipped {tally.already} already replayed, {tally.not_asked} not matching the filters"
    )
    if tally.failed:
        lines.append(f"failed: {tally.failed}")
        lines.extend(f"  {error}" for error in tally.errors)
    return printable("\n".join(lines))  # stages, reasons, topics: as the letters said
