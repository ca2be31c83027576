"""The Faust application, configured from settings; nothing else lives here."""

from __future__ import annotations

import faust

from streams.consumer import Transport
from streams.kafka_security import faust_credentials
from streams.settings import load_settings

settings = load_settings()

#: Bytes per producer batch: well under Faust's 1,000,000-byte request limit.
PRODUCER_BATCH_BYTES = 512 * 1024

app = faust.App(
    settings.worker.app_id,
    broker=";".join(f"kafka://{server}" for server in settings.kafka.servers()),
    broker_credentials=faust_credentials(settings.kafka),
    store=settings.worker.store,
    datadir=str(settings.worker.data_dir),
    topic_partitions=settings.topics.partitions,
    topic_replication_factor=settings.topics.replication_factor,
    broker_session_timeout=settings.worker.session_timeout_seconds,
    broker_heartbeat_interval=min(3.0, settings.worker.session_timeout_seconds / 3),
    consumer_auto_offset_reset="earliest",
    producer_acks=-1,
    # A send into a full batch waits until aiokafka has sent it, which is after the
    # broker answered the request before it (one in flight per broker): at Faust's default
    # 16 KiB a batch holds five raw articles, and every few records waited a round trip.
    producer_max_batch_size=PRODUCER_BATCH_BYTES,
    # A record larger than this is a dead letter (too_large_to_publish), never a failed send;
    # the input character limit is sized with it (streams/settings.py).
    producer_max_request_size=settings.kafka.max_request_bytes,
    # A batch's records go out in a few requests instead of one each (bench/: README).
    producer_linger=settings.worker.linger_ms / 1000,
    web_enabled=settings.web.enabled,
    web_bind=settings.web.host,
    web_host=settings.web.host,
    web_port=settings.web.port,
    # Faust's own sensors keep their names; our metrics live in streams.metrics.
    autodiscover=False,
)
# Faust's own transport, fixed so that no record is acknowledged unprocessed and fetches do
# not idle (streams/consumer.py).
app.transport = Transport(app.conf.broker_consumer, app)
app.fetch_wait_ms = settings.worker.fetch_wait_ms  # type: ignore[attr-defined]
