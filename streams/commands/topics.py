"""`newsradar topics create`: create every topic the pipeline uses."""

from __future__ import annotations

import argparse

from streams.settings import Settings

NAME = "topics"
HELP = "manage the pipeline's Kafka topics"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="topics_command", required=True)
    actions.add_parser("create", help="create every topic that does not exist yet")


def run(args: argparse.Namespace, settings: Settings) -> int:
    from streams.kafka_admin import ensure_topics

    created = ensure_topics(settings)
    print(f"created {len(created)} topic(s): {', '.join(created) or '-'}")
    return 0
