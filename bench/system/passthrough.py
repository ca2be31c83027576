"""The ceiling: the worker minus its logic, copying the raw topic to the classified topic unchanged.

    python -m bench.system.passthrough      # configured by NEWSRADAR_* like `newsradar worker`

Everything a `newsradar worker` does around its steps, and nothing of the steps: the same
Faust app, transport and settings (streams/app.py: fetch wait, linger, producer batches,
acks), the same topic declarations and partitions (streams/topics.py), the same batches
(streams/batching.py with NEWSRADAR_WORKER__BATCH_SIZE and __BATCH_SECONDS), the same
sends through streams.stage.Publisher, each batch's acknowledgements awaited before its
offsets are, the same /metrics page and lag sensor, started as the worker starts. One agent
and one hop: no decoding, no tables. The pipeline's rate over this one, measured in the
same run, is the share of the client stack's ceiling the worker's logic leaves.
"""

from __future__ import annotations

import logging
import sys
import time

from faust.types import StreamT

from streams import topics
from streams.app import app, settings
from streams.batching import batches
from streams.stage import Publisher, count, current, records
from streams.steps import CLASSIFIED, Output, Record, Verdict

STAGE = "passthrough"
PUBLISHER = Publisher(app, {CLASSIFIED: settings.topics.classified}, settings.topics.deadletter)


def copied(record: Record) -> Verdict:
    """The record, key and value as they are, for the output topic."""
    return Verdict(record, [Output(CLASSIFIED, record.key or b"", record.value or b"")])


@app.agent(topics.raw_articles)
async def passthrough(stream: StreamT[bytes]) -> None:
    """Each batch of raw records to the output topic, acknowledged by Kafka, then counted."""
    async for events in batches(stream, settings.worker.batch_size, settings.worker.batch_seconds):
        started = time.perf_counter()
        verdicts = [copied(record) for record in records(current(app, events))]
        await PUBLISHER.publish(STAGE, verdicts)
        count(STAGE, verdicts, time.perf_counter() - started)


def main() -> int:
    """Start as `newsradar worker` starts (streams/cli.py, streams/commands/worker.py)."""
    from faust import Worker

    import streams.web  # noqa: F401  (/metrics, /health and the lag sensor, as the worker)
    from streams.kafka_admin import ensure_topics

    logging.basicConfig(
        level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("kafka").setLevel(max(logging.WARNING, logging.getLogger().level))
    ensure_topics(settings)
    worker = Worker(app, loglevel=settings.log_level)
    worker.spinner = None  # as the worker: the spinner turns the root logger to DEBUG
    worker.execute_from_commandline()
    return 0


if __name__ == "__main__":
    sys.exit(main())
