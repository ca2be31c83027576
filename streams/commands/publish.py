"""`newsradar publish`: articles from files, directories or stdin onto the raw topic."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from streams.commands.inputs import report, utcnow
from streams.kafka_admin import require_topics
from streams.rejection import Rejected
from streams.settings import Settings
from streams.sources.files import expand, read_paths, total_bytes
from streams.sources.kafka_out import BULK_TUNING, Deliveries, raw_producer, send_article

NAME = "publish"
HELP = "publish articles to the raw topic"

#: How many articles between two updates of the progress bar's article count.
_COUNT_EVERY = 500


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "paths",
        nargs="+",
        metavar="PATH",
        help="files or directories (recursive; .jsonl/.json/.txt/.html, each also .gz), - = stdin",
    )
    parser.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="show a progress bar with rate and ETA (default: when stderr is a terminal)",
    )


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Publish each article keyed by its id; report unreadable ones and exit 1 if any."""
    try:
        paths = expand(args.paths)
        total = total_bytes(paths)
    except OSError as error:
        raise SystemExit(f"newsradar: cannot read input: {error}") from None
    require_topics(settings, settings.topics.raw)
    deliveries, skipped = Deliveries(), 0
    producer = raw_producer(settings, **BULK_TUNING)
    started = time.monotonic()
    try:
        with _progress_bar(args.progress, total) as bar:
            for item in read_paths(paths, sys.stdin.buffer, bar.advance_bytes):
                if isinstance(item.article, Rejected):
                    _report_skip(item.where, item.article)
                    skipped += 1
                    continue
                send_article(producer, settings.topics.raw, item.article, utcnow(), deliveries)
                bar.count(deliveries.sent)
            producer.flush()
            bar.count(deliveries.sent, force=True)
    finally:
        producer.close()
    return _report(settings.topics.raw, deliveries, skipped, time.monotonic() - started)


def _report_skip(where: str, rejected: Rejected) -> None:
    report(f"skipped {where}: {rejected.reason}: {rejected.detail}")


def _report(topic: str, deliveries: Deliveries, skipped: int, seconds: float) -> int:
    for error in deliveries.errors:
        print(f"not published: {error}", file=sys.stderr)
    failed = f", {deliveries.failed} failed" if deliveries.failed else ""
    rate = deliveries.acknowledged / seconds if seconds > 0 else 0.0
    print(
        f"published {deliveries.acknowledged} article(s) to {topic} in {seconds:.1f} s "
        f"({rate:,.0f}/s); {skipped} skipped{failed}",
        file=sys.stderr,
    )
    return 1 if skipped or deliveries.failed else 0


class _Bar:
    """The progress bar: bytes read drive the bar and ETA; the article count drives the rate."""

    def __init__(self, progress: Any | None, total: int | None) -> None:
        self._progress = progress
        self._task = progress.add_task("publishing", total=total, articles=0) if progress else None
        self._last = 0

    def advance_bytes(self, count: int) -> None:
        if self._progress is not None:
            self._progress.advance(self._task, count)

    def count(self, articles: int, force: bool = False) -> None:
        if self._progress is not None and (force or articles - self._last >= _COUNT_EVERY):
            self._last = articles
            self._progress.update(self._task, articles=articles)


@contextmanager
def _progress_bar(wanted: bool | None, total: int | None) -> Iterator[_Bar]:
    from rich.console import Console

    console = Console(stderr=True, force_terminal=wanted or None)
    if not (console.is_terminal if wanted is None else wanted):
        yield _Bar(None, total)
        return
    with _rich_progress(console) as progress:
        yield _Bar(progress, total)


def _rich_progress(console: Any) -> Any:
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        Progress,
        ProgressColumn,
        Task,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )
    from rich.text import Text

    class ArticleRate(ProgressColumn):
        """Articles so far and articles per second since the start."""

        def render(self, task: Task) -> Text:
            articles = int(task.fields.get("articles", 0))
            elapsed = task.elapsed or 0.0
            rate = articles / elapsed if elapsed > 0 else 0.0
            return Text(f"{articles:,} articles  {rate:,.0f}/s", style="progress.data.speed")

    return Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        DownloadColumn(),
        ArticleRate(),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        console=console,
        refresh_per_second=4,
        get_time=time.monotonic,
    )
