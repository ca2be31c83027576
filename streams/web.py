"""The worker's HTTP pages: /metrics for Prometheus."""

from __future__ import annotations

from typing import Any

from faust.web import Request, Response, View

from streams.app import app
from streams.metrics import METRICS


@app.page("/metrics")
async def metrics_page(web: View, request: Request) -> Response:
    """Prometheus text exposition of this worker's metrics."""
    return web.bytes(METRICS.exposition(), content_type="text/plain")


def register() -> Any:
    """Importing this module registers the pages; the worker calls this to make that explicit."""
    return metrics_page
