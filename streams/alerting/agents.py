"""The alert agent: news.topic-matches -> news.alerts."""

from __future__ import annotations

from faust.types import StreamT

from schemas import TopicMatch
from streams import topics
from streams.alerting.logic import alert_for
from streams.app import app
from streams.codec import decode
from streams.metrics import METRICS
from streams.rejection import Rejected
from streams.stage import guarded, utcnow

STAGE = "alert"


@app.agent(topics.topic_matches)
async def raise_alerts(stream: StreamT[bytes]) -> None:  # (topic_id, TopicMatch)
    """Publish an alert, keyed by its idempotent id, for every topic match."""
    async for event in stream.events():
        async with guarded(STAGE, event) as guard:
            match = decode(TopicMatch, event.value)
            if isinstance(match, Rejected):
                await guard.reject(match)
                continue
            alert = alert_for(match, alerted=utcnow())
            await topics.alerts.send(key=alert.id.encode(), value=alert.model_dump_json().encode())
            METRICS.alerts.labels(alert.topic, alert.kind, alert.severity).inc()
            guard.passed()
