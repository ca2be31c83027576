"""`newsradar deadletters`: what the stages refused, and why, readable or as JSON lines.

Inspecting dead letters usually means "every one so far": so it reads the dead-letter
topic from its beginning to its end and stops, with a count per stage and reason at the
end; `--follow` then keeps waiting for new ones (`--from-end`: only new ones).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from collections.abc import Iterator
from datetime import datetime

from kafka import KafkaConsumer, TopicPartition
from kafka.consumer.fetcher import ConsumerRecord
from kafka.errors import KafkaError
from rich.console import Console
from rich.text import Text

from schemas import DeadLetter
from schemas.vocabulary import STAGES
from streams.codec import decode
from streams.deadletters import LetterFilter, position, preview, replayed_from
from streams.kafka_admin import assign_topic, connect, read_records, unreachable
from streams.rejection import Rejected
from streams.settings import Settings
from streams.terminal import one_line, printable

NAME = "deadletters"
HELP = "print dead letters (every one so far; --follow for new ones) with a count per reason"

#: How long to try to reach a broker before saying it cannot be reached (or --timeout).
CONNECT_TIMEOUT_S = 10.0
#: Without --follow, how long to wait for the dead-letter topic to exist.
TOPIC_WAIT_S = 10.0
DETAIL_CHARS = 160
REASON_STYLES = {"internal_error": "bold red", "invalid_json": "yellow", "invalid_schema": "yellow"}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--follow", action="store_true", help="then wait for new dead letters")
    parser.add_argument("--json", action="store_true", help="one DeadLetter JSON per line")
    add_filters(parser)
    parser.add_argument("--max", type=int, help="exit after this many dead letters")
    parser.add_argument("--timeout", type=float, help="exit after this many seconds")
    start = parser.add_mutually_exclusive_group()
    start.add_argument(
        "--from-beginning", action="store_true", help="start at the oldest (the default)"
    )
    start.add_argument(
        "--from-end", action="store_true", help="with --follow: only dead letters from now on"
    )


def add_filters(parser: argparse.ArgumentParser) -> None:
    """--stage and --reason, shared with `newsradar replay`."""
    parser.add_argument(
        "--stage", dest="stages", action="append", choices=STAGES, help="only this stage"
    )
    parser.add_argument(
        "--reason", dest="reasons", action="append", help="only this reason (repeatable)"
    )


def letter_filter(args: argparse.Namespace) -> LetterFilter:
    return LetterFilter(frozenset(args.stages or ()), frozenset(args.reasons or ()))


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Print dead letters; exit at the topic's end (unless --follow), --max or --timeout."""
    deadline = time.monotonic() + args.timeout if args.timeout else None
    consumer = open_consumer(settings, "deadletters", args.timeout)
    console = Console(highlight=False, soft_wrap=True)
    counts: Counter[tuple[str, str]] = Counter()
    wanted = letter_filter(args)
    try:
        wait_until = deadline or (None if args.follow else time.monotonic() + TOPIC_WAIT_S)
        partitions = assign_topic(consumer, settings.topics.deadletter, wait_until)
        end = _start(consumer, partitions, args.follow, args.from_end)
        for _record, letter in letters(consumer, end, deadline):
            if not wanted.wants(letter):
                continue
            counts[(letter.stage, letter.reason)] += 1
            _show(console, letter, args.json)
            if args.max and counts.total() >= args.max:
                break
    except KeyboardInterrupt:
        pass
    finally:
        consumer.close()
    if not args.json:
        console.print(format_summary(counts))
    return 3 if args.max and counts.total() < args.max else 0


def open_consumer(settings: Settings, role: str, timeout: float | None) -> KafkaConsumer:
    """A consumer with no group (nothing committed), or exit 1 saying Kafka is unreachable."""
    seconds = min(timeout, CONNECT_TIMEOUT_S) if timeout else CONNECT_TIMEOUT_S
    try:
        return connect(
            KafkaConsumer,
            settings,
            role,
            group_id=None,
            enable_auto_commit=False,
            bootstrap_timeout_ms=int(seconds * 1000),
        )
    except KafkaError as error:
        raise SystemExit(unreachable(settings, error)) from None


def _start(
    consumer: KafkaConsumer, partitions: list[TopicPartition], follow: bool, from_end: bool
) -> dict[TopicPartition, int] | None:
    """Seek to where reading starts; the end offsets to stop at, or None to follow."""
    if follow and from_end:
        consumer.seek_to_end(*partitions)
    else:
        consumer.seek_to_beginning(*partitions)
    return None if follow else consumer.end_offsets(partitions)


def letters(
    consumer: KafkaConsumer, end: dict[TopicPartition, int] | None, deadline: float | None
) -> Iterator[tuple[ConsumerRecord, DeadLetter]]:
    """Every readable letter up to `end` (for ever when None) or the deadline; an unreadable
    record on the dead-letter topic is reported on stderr and skipped."""
    for record in read_records(consumer, end, deadline):
        letter = decode(DeadLetter, record.value)
        if isinstance(letter, Rejected):
            where = position(record.topic, record.partition, record.offset)
            print(f"unreadable dead letter at {where}: {letter.reason}", file=sys.stderr)
            continue
        yield record, letter


def _show(console: Console, letter: DeadLetter, as_json: bool) -> None:
    if as_json:
        print(letter.model_dump_json(), flush=True)
    else:
        console.print(format_letter(letter))


def format_letter(letter: DeadLetter) -> Text:
    """Two lines a duty engineer scans: when, where, why, what it looked like; then detail."""
    text = Text()
    text.append(_when(letter.failed_at), "dim")
    text.append(f"  {letter.stage}  ")
    text.append(letter.reason, REASON_STYLES.get(letter.reason, "bold"))
    text.append(f"  {position(letter.topic, letter.partition, letter.offset)}")
    if (key := letter.key_bytes()) is not None:
        text.append(f"  key={one_line(key.decode('utf-8', 'backslashreplace'), 40)}")
    if letter.exception_type:
        text.append(f"  {letter.exception_type}", "red")
    text.append("\n  ")
    if letter.original_encoding == "base64":
        text.append("(binary) ", "magenta")
    text.append(preview(letter) or "(empty)", "cyan")
    if letter.truncated:
        text.append(f" (only the start of {letter.original_size} bytes)", "magenta")
    details = [one_line(letter.detail, DETAIL_CHARS)] if letter.detail else []
    if (earlier := replayed_from(letter)) is not None:
        details.append(f"replayed from {one_line(earlier, 120)}")
    if details:
        text.append("\n  " + " · ".join(details), "dim")
    text.plain = printable(text.plain)  # every field came off a topic anyone can write to
    return text


def format_summary(counts: Counter[tuple[str, str]]) -> Text:
    """The total, then one line per stage and reason, the most frequent first."""
    text = Text(f"{counts.total()} dead letter(s)", "bold")
    width = max((len(f"{stage} {reason}") for stage, reason in counts), default=0)
    for (stage, reason), count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
        text.append(f"\n  {f'{stage} {reason}':<{width}}  {count:>6}")
    text.plain = printable(text.plain)
    return text


def _when(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")
