"""`newsradar feeder`: publish a demo set once, then poll the configured feeds.

What the docker compose `feeder` service and `ops/local-stack` run. Publishing the demo
set again after a restart is harmless: ids are deterministic and the clean stage drops
exact duplicates.
"""

from __future__ import annotations

import argparse
import sys

from streams.commands import feed, publish
from streams.settings import Settings

NAME = "feeder"
HELP = "publish the demo set, then poll the feeds in NEWSRADAR_SOURCES__FEEDS"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--demo",
        action="append",
        default=[],
        metavar="PATH",
        help="a demo file or folder to publish first (repeatable)",
    )


def run(args: argparse.Namespace, settings: Settings) -> int:
    if args.demo:
        status = publish.run(argparse.Namespace(paths=args.demo, progress=False), settings)
        if status != 0:
            return status
    specs = feed.feed_specs(settings.sources.feed_list())
    if not specs:
        print("feeder: no feeds configured (NEWSRADAR_SOURCES__FEEDS); done", file=sys.stderr)
        return 0
    return feed.poll_feeds(settings, specs)
