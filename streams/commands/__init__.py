"""The `newsradar` subcommands, one module each.

A command module has `NAME`, `HELP`, `add_arguments(parser)` and `run(args, settings) -> int`;
list it in COMMANDS to put it on the command line.
"""

from __future__ import annotations

from streams.commands import (
    alerts,
    eval,
    feed,
    feeder,
    health,
    ingest,
    process,
    publish,
    sink,
    topics,
    worker,
)

COMMANDS = (worker, health, topics, publish, process, alerts, feed, feeder, ingest, sink, eval)
