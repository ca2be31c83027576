"""`newsradar process`: every stage in this process, no broker (the embedded mode)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable, Iterator
from itertools import islice
from pathlib import Path

from schemas import RawArticle
from streams.alerting.configure import alert_rules
from streams.classification.logic import compile_taxonomy
from streams.classification.taxonomy import load_taxonomy
from streams.cleaning.configure import clean_options
from streams.cleaning.explain import explain
from streams.collector import tune_collector
from streams.commands.inputs import items, report, utcnow
from streams.pipeline import LocalPipeline, Outcome, encoded
from streams.rejection import Rejected
from streams.settings import Settings
from streams.sources.files import Item
from streams.steps import ALERTS, CLASSIFIED

NAME = "process"
HELP = "run every stage in-process, no broker"
#: Articles handed to the steps at once, as a worker's batch would be.
CHUNK = 256


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="+", metavar="PATH", help="files, or - for stdin")
    parser.add_argument("--alerts", action="store_true", help="print alerts, not articles")
    parser.add_argument("--taxonomy", help="taxonomy YAML (default: the configured one)")
    parser.add_argument(
        "--explain", action="store_true", help="say what cleaning removed, by which rule"
    )


def run(args: argparse.Namespace, settings: Settings) -> int:
    """One JSON line per surviving article (or per alert); drops reported on stderr."""
    path = Path(args.taxonomy or settings.classification.taxonomy_path)
    pipeline = LocalPipeline(  # stories and duplicates span the whole run
        compile_taxonomy(load_taxonomy(path)),
        options=clean_options(settings.cleaning),
        window=settings.cleaning.dedup_window_seconds,
        rules=alert_rules(settings.alerting),
    )
    # As the worker's, for a like comparison: frozen once the taxonomy is compiled, as the
    # worker freezes it once its agents are loaded.
    tune_collector(settings.worker.gc_threshold)
    for chunk in _chunks(items(args.paths)):
        articles = [i.article for i in chunk if isinstance(i.article, RawArticle)]
        records = [(a.id.encode(), encoded(a)) for a in articles]
        outcomes = iter(pipeline.run(records, utcnow()) if records else [])
        for item in chunk:
            if isinstance(item.article, Rejected):
                _refused(item.where, item.article)
            else:
                _report(args, item, item.article, next(outcomes))
    return 0


def _chunks(found: Iterable[Item]) -> Iterator[list[Item]]:
    found = iter(found)
    while chunk := list(islice(found, CHUNK)):
        yield chunk


def _report(args: argparse.Namespace, item: Item, raw: RawArticle, outcome: Outcome) -> None:
    verdict = outcome.rejected or outcome.dropped
    if args.explain:
        article = outcome.cleaned or outcome.classified
        print("\n".join(explain(item.where, raw, article, verdict, outcome.learned)))
    elif verdict is not None:
        _refused(f"{outcome.article_id} ({item.where})", verdict)
    else:
        for line in outcome.published.get(ALERTS if args.alerts else CLASSIFIED, []):
            sys.stdout.write(line.decode() + "\n")


def _refused(where: str, verdict: object) -> None:
    reason, detail = getattr(verdict, "reason", ""), getattr(verdict, "detail", "")
    report(f"dropped {where}: {reason}: {detail}")
