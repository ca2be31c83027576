"""The isolated namespaces and processes of integration and e2e tests: bench/system/processes.py.

One module for tests and benchmarks; the names tests import live on here.
"""

from bench.system.processes import (
    PARTITIONS,
    TOPIC_FIELDS,
    Pipeline,
    Worker,
    free_port,
    new_pipeline,
    pipeline_with_topics,
    read_topic,
    stop,
)

__all__ = [
    "PARTITIONS",
    "TOPIC_FIELDS",
    "Pipeline",
    "Worker",
    "free_port",
    "new_pipeline",
    "pipeline_with_topics",
    "read_topic",
    "stop",
]
