"""The ceiling: newsradar's own Faust app copying the raw topic to the classified topic, unchanged.

    python -m bench.passthrough      # configured by NEWSRADAR_* like `newsradar worker`

The same client stack as `newsradar worker` (faust-streaming, aiokafka, the app and topic
declarations of streams/app.py and streams/topics.py, so the same acks, partitions and
consumer settings) with one agent that does nothing but read each record and send it on.
No decoding, no stage logic, no tables: the most a worker process could reach here.
bench/pipeline.py runs it as a process and times it like the real worker.
"""

from __future__ import annotations

import sys

from faust.types import StreamT

from streams import topics
from streams.app import app, settings


@app.agent(topics.raw_articles)
async def passthrough(stream: StreamT[bytes]) -> None:
    """Each raw record, key and value as they are, to the output topic."""
    async for event in stream.events():
        await topics.classified_articles.send(key=event.key, value=event.value)


def main() -> int:
    from faust import Worker

    from streams.kafka_admin import ensure_topics

    ensure_topics(settings)
    Worker(app, loglevel=settings.log_level).execute_from_commandline()
    return 0


if __name__ == "__main__":
    sys.exit(main())
