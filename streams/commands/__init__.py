"""The `newsradar` subcommands, one module each.

A command module has `NAME`, `HELP`, `add_arguments(parser)` and `run(args, settings) -> int`;
list it in COMMAND_NAMES to put it on the command line.
"""

from __future__ import annotations

import importlib
from types import ModuleType

#: Command module names, in the order `newsradar --help` lists them. Only the module of the
#: command being run is imported, so `newsradar health` (a Docker HEALTHCHECK every 30 s)
#: does not pay for the pipeline's imports.
COMMAND_NAMES = (
    "worker",
    "health",
    "topics",
    "publish",
    "process",
    "alerts",
    "deadletters",
    "replay",
    "feed",
    "feeder",
    "ingest",
    "sink",
    "eval",
)


def load(name: str) -> ModuleType:
    """The command module called `name`."""
    return importlib.import_module(f"streams.commands.{name}")
