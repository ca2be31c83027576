"""The `newsradar` command line: run the worker, feed articles in, read alerts out."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from streams.commands import COMMANDS
from streams.settings import load_settings


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="newsradar",
        description="Streaming news monitoring: clean, classify and alert on articles in Kafka.",
    )
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in COMMANDS:
        sub = subparsers.add_parser(command.NAME, help=command.HELP, description=command.HELP)
        command.add_arguments(sub)
        sub.set_defaults(run=command.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    settings = load_settings()
    logging.basicConfig(
        level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    return int(args.run(args, settings))


if __name__ == "__main__":
    sys.exit(main())
