"""The worker's HTTP pages: /metrics for Prometheus, /health for liveness checks.

Faust's web server serves them on NEWSRADAR_WEB__HOST:NEWSRADAR_WEB__PORT, one per worker
process; importing this module registers the page and the consumer-lag measurement.
"""

from __future__ import annotations

import time

from faust.web import Request, Response, View
from prometheus_client import CONTENT_TYPE_LATEST

from streams.app import app, settings
from streams.metrics import METRICS
from streams.monitoring.logic import health
from streams.monitoring.sensors import install

#: The consumer-lag sensor and its timer (streams/monitoring).
LAG_TRACKER = install(app, settings)


@app.page("/metrics")
async def metrics_page(web: View, request: Request) -> Response:
    """Prometheus text exposition of this worker's metrics."""
    # As a header: aiohttp refuses a content_type argument that carries a charset.
    return web.bytes(METRICS.exposition(), headers={"Content-Type": CONTENT_TYPE_LATEST})


@app.page("/health")
async def health_page(web: View, request: Request) -> Response:
    """200 while the worker consumes; 503 when an agent has stalled (see `newsradar health`)."""
    stalled = [f"{tp.topic}[{tp.partition}]" for tp in LAG_TRACKER.stalled]
    healthy, reason = health(
        LAG_TRACKER.reported_at, stalled, time.time(), settings.monitoring.lag_interval_seconds
    )
    return web.json({"healthy": healthy, "reason": reason}, status=200 if healthy else 503)
