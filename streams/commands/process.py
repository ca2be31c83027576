"""`newsradar process`: every stage in this process, no broker (the embedded mode)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from streams.alerting.configure import alert_rules
from streams.classification.logic import compile_taxonomy
from streams.classification.taxonomy import load_taxonomy
from streams.cleaning.configure import clean_options
from streams.cleaning.explain import explain
from streams.commands.inputs import items, utcnow
from streams.pipeline import AlertState, CleanState, process_article
from streams.rejection import Rejected
from streams.settings import Settings

NAME = "process"
HELP = "run every stage in-process, no broker"


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
    taxonomy = compile_taxonomy(load_taxonomy(path))
    alerting = AlertState(alert_rules(settings.alerting))  # stories span the whole run
    window = settings.cleaning.dedup_window_seconds  # so do the duplicates
    cleaning = CleanState(clean_options(settings.cleaning), window)
    for item in items(args.paths):
        if isinstance(item.article, Rejected):
            print(
                f"dropped {item.where}: {item.article.reason}: {item.article.detail}",
                file=sys.stderr,
            )
            continue
        outcome = process_article(
            item.article, taxonomy, now=utcnow(), alerting=alerting, cleaning=cleaning
        )
        verdict = outcome.rejected or outcome.dropped
        if args.explain:
            shown = explain(item.where, item.article, outcome.classified, verdict, cleaning.learned)
            print("\n".join(shown))
        elif verdict is not None:
            print(
                f"dropped {outcome.article_id} ({item.where}): {verdict.reason}: {verdict.detail}",
                file=sys.stderr,
            )
        elif args.alerts:
            for alert in outcome.alerts:
                print(alert.model_dump_json())
        elif outcome.classified is not None:
            print(outcome.classified.model_dump_json())
    return 0
