"""`newsradar ingest`: the HTTP ingest service (POST /articles), on loopback by default.

A service of its own rather than a page on the worker's web server: ingestion then scales,
restarts and is exposed (or not) independently of the agents, and a flood of POSTs never
competes with the agents' event loop.
"""

from __future__ import annotations

import argparse
import ipaddress
import logging

from streams.settings import Settings

NAME = "ingest"
HELP = "serve POST /articles: articles over HTTP onto the raw topic"

log = logging.getLogger(__name__)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", help="address to bind (default: NEWSRADAR_SOURCES__INGEST_HOST)")
    parser.add_argument("--port", type=int, help="port (default: NEWSRADAR_SOURCES__INGEST_PORT)")


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Serve until SIGTERM/SIGINT; the Kafka producer starts and stops with the app."""
    from aiohttp import web

    from streams.kafka_admin import require_topics
    from streams.kafka_security import client_security
    from streams.metrics import METRICS
    from streams.sources.ingest import KafkaAsyncSink, build_app

    sources = settings.sources
    host = args.host or sources.ingest_host
    port = sources.ingest_port if args.port is None else args.port
    if sources.ingest_token is None and not _loopback(host):
        log.warning("ingest: listening on %s without a bearer token: anyone can publish", host)
    # A wrong password or a missing topic ends it here, not in the first POST's 503.
    require_topics(settings, settings.topics.raw)
    sink = KafkaAsyncSink(
        settings.kafka.servers(),
        f"{settings.kafka.client_id}-ingest",
        settings.topics.raw,
        client_security(settings.kafka),
        max_request_size=settings.kafka.max_request_bytes,  # the worker's limit, as publish's
    )
    app = build_app(
        sink=sink, token=sources.ingest_token, max_bytes=sources.ingest_max_bytes, metrics=METRICS
    )
    app.on_startup.append(sink.start)
    app.on_cleanup.append(sink.stop)
    web.run_app(app, host=host, port=port, print=log.info, access_log=None)
    return 0


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
