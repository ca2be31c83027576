"""`newsradar alerts`: read the alert topic, readable or as JSON lines."""

from __future__ import annotations

import argparse
import sys
import time
from datetime import datetime
from typing import Any

from kafka import KafkaConsumer, TopicPartition
from rich.console import Console
from rich.text import Text

from schemas import Alert
from schemas.vocabulary import ALERT_KINDS, SEVERITIES
from streams.alerting.sinks import Filter
from streams.codec import decode
from streams.kafka_admin import assign_topic, connect, read_records
from streams.rejection import Rejected
from streams.settings import Settings
from streams.terminal import printable

TOPIC_WAIT_S = 10.0

KINDS = ALERT_KINDS
#: Severity colours: loud ones stand out, quiet ones recede.
STYLES = {
    "critical": "bold white on red",
    "high": "bold red",
    "medium": "bold yellow",
    "low": "cyan",
    "info": "dim",
}

NAME = "alerts"
HELP = "print alerts from the alert topic"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--follow", action="store_true", help="wait for new alerts")
    parser.add_argument("--json", action="store_true", help="one JSON object per line")
    parser.add_argument("--topic", help="only alerts of this topic id")
    parser.add_argument("--max", type=int, help="exit after this many alerts")
    parser.add_argument("--timeout", type=float, help="exit after this many seconds")
    parser.add_argument(
        "--from-beginning", action="store_true", help="with --follow, start at the oldest alert"
    )
    parser.add_argument(
        "--min-severity", choices=SEVERITIES, default="info", help="only alerts at least this loud"
    )
    parser.add_argument(
        "--kind", dest="kinds", action="append", choices=KINDS, help="only this kind (repeatable)"
    )


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Print alerts; exit after --max alerts, after --timeout, or (without --follow) at the end."""
    deadline = time.monotonic() + args.timeout if args.timeout else None
    consumer = connect(KafkaConsumer, settings, "", group_id=None, enable_auto_commit=False)
    try:
        # Without --follow nobody waits for the topic to appear: give it a few seconds.
        wait_until = deadline or (None if args.follow else time.monotonic() + TOPIC_WAIT_S)
        partitions = assign_topic(consumer, settings.topics.alerts, wait_until)
        if args.follow and not args.from_beginning:
            consumer.seek_to_end(*partitions)
        else:
            consumer.seek_to_beginning(*partitions)
        end = None if args.follow else consumer.end_offsets(partitions)
        count = _print_alerts(consumer, args, deadline, end)
    finally:
        consumer.close()
    return 3 if args.max and count < args.max else 0


def _print_alerts(
    consumer: KafkaConsumer,
    args: argparse.Namespace,
    deadline: float | None,
    end: dict[TopicPartition, int] | None,
) -> int:
    console = Console(highlight=False, soft_wrap=False)
    wanted = Filter(args.min_severity, frozenset(args.kinds or ()))
    count = 0
    try:
        for record in read_records(consumer, end, deadline):
            count += _print_alert(console, args, wanted, record)
            if args.max and count >= args.max:
                break
    except KeyboardInterrupt:  # Ctrl-C is how `--follow` ends: no traceback
        pass
    return count


def _print_alert(console: Console, args: argparse.Namespace, wanted: Filter, record: Any) -> int:
    """Print one record's alert if it is wanted; 1 if printed, else 0."""
    alert = decode(Alert, record.value)
    if isinstance(alert, Rejected):
        print(f"unreadable alert at offset {record.offset}: {alert.reason}", file=sys.stderr)
        return 0
    if (args.topic and alert.topic != args.topic) or not wanted.wants(alert):
        return 0
    if args.json:
        print(alert.model_dump_json(), flush=True)
    else:
        console.print(format_alert(alert))
    return 1


def format_alert(alert: Alert) -> Text:
    """A readable block for a person watching the terminal, coloured by severity."""
    text = Text()
    text.append(f"[{alert.severity.upper()}]", STYLES.get(alert.severity, ""))
    text.append(f" {alert.kind} · {alert.topic_name}  ", "bold")
    text.append(alert.title + "\n", "bold")
    text.append(f"  {alert.summary}\n")
    for line in _details(alert):
        text.append(f"  {line}\n", "")
    text.append(
        f"  published {_when(alert.published)} · alerted {_when(alert.alerted)} · {alert.id}\n",
        "dim",
    )
    text.plain = printable(text.plain)  # an article's title or URL must not steer the terminal
    return text


def _details(alert: Alert) -> list[str]:
    lines = []
    if alert.kind in ("story", "story-update"):
        reach = f"{alert.article_count} article(s)"
        if alert.outlets:
            names = ", ".join(alert.outlets[:6]) + (" …" if len(alert.outlets) > 6 else "")
            reach += f" · {len(alert.outlets)} outlet(s): {names}"
        lines.append(reach)
    if alert.surge is not None:
        lines.append(f"surge: {alert.reasons[0]}" if alert.reasons else "surge")
    for entry in alert.digest[:10]:
        lines.append(f"[{entry.severity}] {entry.title} ({entry.article_count} articles)")
    urls = [a.url for a in alert.articles if a.url] or ([alert.url] if alert.url else [])
    lines.extend(urls[:3])
    if len(urls) > 3:
        lines.append(f"… and {len(urls) - 3} more")
    terms = sorted({e.matched.casefold() for e in alert.evidence})
    if terms:
        lines.append(f"evidence: {', '.join(terms[:12])}")
    if alert.reasons and alert.surge is None:
        lines.append("why: " + "; ".join(alert.reasons))
    return lines


def _when(moment: datetime | None) -> str:
    return moment.isoformat(timespec="seconds") if moment else "unknown"
