"""`newsradar topics`: the pipeline's Kafka topics (`create`) and taxonomy topics (`check`)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from streams.settings import Settings

NAME = "topics"
HELP = "create the pipeline's Kafka topics, or check a taxonomy file's topics"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="topics_command", required=True)
    actions.add_parser("create", help="create every Kafka topic that does not exist yet")
    check = actions.add_parser(
        "check", help="validate a taxonomy file and print each topic's compiled query"
    )
    check.add_argument("file", metavar="FILE", help="taxonomy YAML")


def run(args: argparse.Namespace, settings: Settings) -> int:
    if args.topics_command == "check":
        return check(Path(args.file))
    from streams.kafka_admin import ensure_topics

    created = ensure_topics(settings)
    print(f"created {len(created)} topic(s): {', '.join(created) or '-'}")
    return 0


def check(path: Path) -> int:
    """Exit 1 with every problem (file:line: where: what, in «clause») on stderr."""
    from streams.classification.compiler import render
    from streams.classification.logic import compile_taxonomy
    from streams.classification.taxonomy import TaxonomyError, load_taxonomy

    try:
        taxonomy = compile_taxonomy(load_taxonomy(path))
    except TaxonomyError as error:
        print(error, file=sys.stderr)
        return 1
    print(
        f"{path}: version {taxonomy.version}, {len(taxonomy.topics)} topics, "
        f"{taxonomy.term_count} distinct terms in one automaton"
    )
    for compiled in taxonomy.topics:
        topic = compiled.topic
        severity = topic.severity.default + (
            f" (+{len(compiled.severity)} rules)" if compiled.severity else ""
        )
        print(f"\n{topic.id}: {topic.name} (threshold {topic.threshold}, severity {severity})")
        print("\n".join(render(compiled.rule, indent="  ")))
    return 0
