"""What tests of real processes and servers share: a bounded wait, a worker's metrics, a
topic read to its end, and processes (ours and the servers they talk to) always stopped.

A test never sleeps for a fixed time: it waits with `wait_until`, which asks again until the
answer comes and gives up after a bound, saying what it waited for and how long.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from socketserver import BaseServer
from typing import Any, TypeVar

from kafka import KafkaAdminClient, KafkaConsumer, TopicPartition
from kafka.consumer.fetcher import ConsumerRecord
from prometheus_client.parser import text_string_to_metric_families

from streams.kafka_admin import reached, read_records
from tests.processes import free_port, stop

T = TypeVar("T")
Server = TypeVar("Server", bound=BaseServer)

#: Debian's `prometheus-alertmanager` package names its binary so; elsewhere `alertmanager`.
ALERTMANAGER = shutil.which("prometheus-alertmanager") or shutil.which("alertmanager")


def wait_until(
    condition: Callable[[], T | None],
    timeout: float,
    *,
    step: float = 0.2,
    what: str | Callable[[], str] = "the condition",
    ignoring: tuple[type[Exception], ...] = (),
) -> T:
    """The condition's first truthy value, asked every `step` seconds for at most `timeout`.

    Past the bound, an AssertionError names `what` (a callable is asked only then: a log's
    tail at the time of failure) and the time waited. `ignoring`: exceptions that only mean
    "not yet" (a server still starting).
    """
    started = time.monotonic()
    while True:
        value: T | None
        try:
            value = condition()
        except ignoring:
            value = None
        if value:
            return value
        waited = time.monotonic() - started
        if waited >= timeout:
            said = what() if callable(what) else what
            raise AssertionError(f"waited {waited:.1f} s (at most {timeout:g} s) for {said}")
        time.sleep(min(step, timeout - waited))


def within(condition: Callable[[], object], timeout: float, *, step: float = 0.2) -> bool:
    """Whether the condition came true within `timeout` (wait_until, for a caller that goes on
    either way: it reports the outcome, or cleans up before asserting)."""
    try:
        wait_until(condition, timeout, step=step)
    except AssertionError:
        return False
    return True


def metric(port: int, name: str, **labels: str) -> float | None:
    """The samples called `name` whose labels include `labels`, summed (a counter over the
    label values not given), on the /metrics page at `port`; None when there is none."""
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as page:
        text = page.read().decode()
    values = [
        sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == name and labels.items() <= sample.labels.items()
    ]
    return sum(values) if values else None


def read_to_end(bootstrap: str, topic: str, timeout: float = 60) -> list[ConsumerRecord]:
    """Every record on `topic` up to the partitions' end offsets at the time of the call,
    in partition order; none if the topic does not exist yet.

    What is there now, without waiting for more: once the writer is done (a command that
    exited, a 4xx answered), this proves an absence where a timed read would only hope to.
    """
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False)
    try:
        partitions = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or ()]
        if not partitions:
            return []
        consumer.assign(partitions)
        consumer.seek_to_beginning(*partitions)
        end = consumer.end_offsets(partitions)
        records = list(read_records(consumer, end, time.monotonic() + timeout))
        assert reached(consumer, end), f"{topic} not read to its end within {timeout:g} s"
        return records
    finally:
        consumer.close()


def committed_offsets(bootstrap: str, group: str) -> dict[TopicPartition, int]:
    """The consumer group's committed offset of every partition it committed."""
    admin = KafkaAdminClient(bootstrap_servers=bootstrap)
    try:
        committed = admin.list_group_offsets({group: None})[group]
    finally:
        admin.close()
    return {tp: meta.offset for tp, meta in committed.items()}


def uncommitted(bootstrap: str, group: str, topics: list[str]) -> int:
    """Records of `topics` the consumer group has not committed past (all, for a partition
    it never committed)."""
    committed = committed_offsets(bootstrap, group)
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, group_id=None)
    try:
        partitions = [
            TopicPartition(t, p) for t in topics for p in consumer.partitions_for_topic(t) or ()
        ]
        ends = consumer.end_offsets(partitions)
    finally:
        consumer.close()
    return sum(end - committed.get(tp, 0) for tp, end in ends.items())


def answers(url: str) -> bool:
    """Whether a GET of `url` is answered 200 now (a server not listening yet is not)."""
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return bool(response.status == 200)
    except OSError:
        return False


def newsradar(*args: str) -> list[str]:
    """The command line of `newsradar ARGS`, run by this interpreter from this checkout."""
    return [sys.executable, "-m", "streams", *args]


@contextmanager
def running(
    argv: list[str],
    log: Path,
    *,
    env: Mapping[str, str] | None = None,
    ready: str | None = None,
    timeout: float = 60,
) -> Iterator[subprocess.Popen[bytes]]:
    """A process writing its output to `log` (appended), in a session of its own so that
    `stop` ends its children too, stopped when the block ends.

    With `ready` (a URL), it is yielded once that answers; a process that exits first fails
    the test at once, with its log.
    """
    with log.open("ab") as out:
        process = subprocess.Popen(
            argv, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            if ready is not None:
                wait_until(
                    lambda: _serving(process, ready, log),
                    timeout,
                    what=lambda: f"{ready} to answer; {argv[0]} wrote:\n{_tail(log)}",
                )
            yield process
        finally:
            stop(process)


def _serving(process: subprocess.Popen[bytes], url: str, log: Path) -> bool:
    code = process.poll()
    assert code is None, f"exited {code} before {url} answered:\n{_tail(log)}"
    return answers(url)


def _tail(log: Path) -> str:
    return log.read_text(encoding="utf-8", errors="replace")[-3000:]


@contextmanager
def in_thread(server: Server, poll_interval: float = 0.5) -> Iterator[Server]:
    """`server` answering from a thread of its own until the block ends, then closed."""
    thread = threading.Thread(target=server.serve_forever, args=(poll_interval,), daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)


@contextmanager
def alertmanager(config: Path, workdir: Path) -> Iterator[str]:
    """A real Alertmanager with `config` on a free loopback port, alone (no cluster), always
    stopped; yields its base URL once it is ready."""
    assert ALERTMANAGER is not None, "no alertmanager binary (Debian: prometheus-alertmanager)"
    port = free_port()
    argv = [
        ALERTMANAGER,
        f"--config.file={config}",
        f"--storage.path={workdir / 'alertmanager-data'}",
        f"--web.listen-address=127.0.0.1:{port}",
        "--cluster.listen-address=",
    ]
    url = f"http://127.0.0.1:{port}"
    with running(argv, workdir / "alertmanager.log", ready=f"{url}/-/ready", timeout=30):
        yield url


def alerts_in(alertmanager_url: str) -> list[dict[str, Any]]:
    """The alerts an Alertmanager holds now, as its API v2 gives them."""
    with urllib.request.urlopen(f"{alertmanager_url}/api/v2/alerts", timeout=10) as response:
        return list(json.load(response))
