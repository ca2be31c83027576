"""The `newsradar` command line: run the worker, feed articles in, read alerts out."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from streams.settings import Settings, load_settings


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="newsradar",
        description="Streaming news monitoring: clean, classify and alert on articles in Kafka.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    commands.add_parser("worker", help="run the clean, classify and alert agents")

    topics = commands.add_parser("topics", help="manage the pipeline's Kafka topics")
    topics_commands = topics.add_subparsers(dest="topics_command", required=True)
    topics_commands.add_parser("create", help="create every topic that does not exist yet")

    publish = commands.add_parser("publish", help="publish articles to the raw topic")
    publish.add_argument("paths", nargs="+", metavar="PATH", help="files, or - for stdin")

    process = commands.add_parser("process", help="run every stage in-process, no broker")
    process.add_argument("paths", nargs="+", metavar="PATH", help="files, or - for stdin")
    process.add_argument("--alerts", action="store_true", help="print alerts, not articles")
    process.add_argument("--taxonomy", help="taxonomy YAML (default: the built-in one)")

    alerts = commands.add_parser("alerts", help="print alerts from the alert topic")
    alerts.add_argument("--follow", action="store_true", help="wait for new alerts")
    alerts.add_argument("--json", action="store_true", help="one JSON object per line")
    alerts.add_argument("--topic", help="only alerts of this topic id")
    alerts.add_argument("--max", type=int, help="exit after this many alerts")
    alerts.add_argument("--timeout", type=float, help="exit after this many seconds")
    alerts.add_argument(
        "--from-beginning", action="store_true", help="with --follow, start at the oldest alert"
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    settings = load_settings()
    logging.basicConfig(
        level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    return _run(args, settings)


def _run(args: argparse.Namespace, settings: Settings) -> int:
    if args.command == "worker":
        from streams.worker import run_worker

        return run_worker(settings)
    if args.command == "topics":
        from streams.kafka_admin import ensure_topics

        created = ensure_topics(settings)
        print(f"created {len(created)} topic(s): {', '.join(created) or '-'}")
        return 0
    from streams import commands

    handlers = {
        "publish": commands.publish,
        "process": commands.process,
        "alerts": commands.alerts,
    }
    return handlers[args.command](args, settings)


if __name__ == "__main__":
    sys.exit(main())
