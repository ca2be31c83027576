"""The `newsradar` command line: run the worker, feed articles in, read alerts out."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from streams.commands import COMMAND_NAMES, load
from streams.settings import load_settings


def build_parser(names: Sequence[str] = COMMAND_NAMES) -> argparse.ArgumentParser:
    """The parser with the named commands (all of them for help and errors)."""
    parser = argparse.ArgumentParser(
        prog="newsradar",
        description="Streaming news monitoring: clean, classify and alert on articles in Kafka.",
    )
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in map(load, names):
        sub = subparsers.add_parser(command.NAME, help=command.HELP, description=command.HELP)
        command.add_arguments(sub)
        sub.set_defaults(run=command.run)
    return parser


def _requested(argv: Sequence[str]) -> Sequence[str]:
    """Just the command being run when argv names one; every command otherwise."""
    first = next((arg for arg in argv if not arg.startswith("-")), None)
    return (first,) if first in COMMAND_NAMES else COMMAND_NAMES


def main(argv: Sequence[str] | None = None) -> int:
    arguments = sys.argv[1:] if argv is None else list(argv)
    args = build_parser(_requested(arguments)).parse_args(arguments)
    settings = load_settings()
    logging.basicConfig(
        level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    # kafka-python narrates every connection at INFO; the CLI's own output is what matters.
    logging.getLogger("kafka").setLevel(max(logging.WARNING, logging.getLogger().level))
    return int(args.run(args, settings))


if __name__ == "__main__":
    sys.exit(main())
