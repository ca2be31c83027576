"""Delivery under faults, against a real broker of our own: nothing lost, no alert twice.

20,000 invented records of a real-world mix (faults.py: stories on several topics at once,
in several outlets' copies, published over years and arriving out of order) go to the raw
topic as the pipeline takes them (`Progress`); meanwhile a worker is SIGKILLed and
restarted at once (also while it is still recovering), or the broker is stopped and
started, or a second worker joins and leaves. Each time every record must end classified,
dead-lettered or dropped as an exact copy, and no alert id may appear twice on the alert
topic, read whole (README: Delivery guarantees). The figures are printed (`pytest -s`);
each run's story is in its workers' logs under the test's tmp_path.
"""

from __future__ import annotations

import json
import os
import random
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from kafka import KafkaProducer
from kafka.partitioner.default import murmur2

from bench.system.broker import LocalBroker, local_broker
from streams.alerting.records import alert_id
from streams.alerting.state import Story
from tests.integration.faults import (
    Accounting,
    Corpus,
    Progress,
    Workers,
    corpus,
    finish,
    wait_for_share,
)
from tests.integration.test_alert_stories import raw_copy, state_now
from tests.processes import Pipeline, read_topic
from tests.support import wait_until

pytestmark = pytest.mark.integration

#: The issue's 20k; a smaller run for a quick look: NEWSRADAR_TEST_FAULT_ARTICLES=2000.
ARTICLES = int(os.environ.get("NEWSRADAR_TEST_FAULT_ARTICLES", "20000"))
PARTITIONS = 4
WORKER_ENV = {
    "NEWSRADAR_TOPICS__PARTITIONS": str(PARTITIONS),
    # The broker's smallest session timeout: a SIGKILLed worker's partitions move on sooner.
    "NEWSRADAR_WORKER__SESSION_TIMEOUT_SECONDS": "6",
    "NEWSRADAR_WEB__ENABLED": "false",
}
PHASE_S = 1200  # bounds every wait for progress (a loaded machine runs many times slower)
FINISH_S = 1200  # bounds the wait for the last record
#: Once the last worker is working, the longest a record may wait for its turn while the
#: rest go on: under the transport's 30 s for a record fetched and never handled
#: (streams/consumer.py), which is the wait a user saw.
STALL_S = 25


@pytest.fixture(scope="module")
def broker() -> Iterator[LocalBroker]:
    """Our own broker (one scenario restarts it), shared by this module's scenarios."""
    with local_broker() as running:
        yield running


@pytest.fixture(scope="module")
def data() -> Corpus:
    return corpus(ARTICLES)


@pytest.fixture
def rng() -> random.Random:
    seed = random.randrange(10**6)
    print(f"fault timing seed {seed}")
    return random.Random(seed)


@dataclass
class Scenario:
    """One scenario's pipeline, workers and feed; `finish` waits for the last record."""

    pipeline: Pipeline
    data: Corpus
    workers: Workers
    progress: Progress
    started: float = field(default_factory=time.monotonic)
    events: list[str] = field(default_factory=list)

    def reach(self, share: float) -> None:
        wait_for_share(self.progress, share, self.workers, PHASE_S)

    def finish(self, *, stalls: bool = False) -> Accounting:
        """`stalls`: also measure the longest wait from when the last worker was ready."""
        workers = self.workers if stalls else None
        return finish(self.pipeline, self.data, self.progress, self.started, FINISH_S, workers)


@contextmanager
def scenario(broker: LocalBroker, tmp_path: Path, data: Corpus) -> Iterator[Scenario]:
    """A fresh namespace with its topics (before producing: the broker creates none), its
    workers and feed; every worker stopped afterwards."""
    pipeline = Pipeline(broker.address, tmp_path, uuid.uuid4().hex[:10])
    pipeline.create_topics(PARTITIONS)
    run = Scenario(pipeline, data, Workers(pipeline, **WORKER_ENV), Progress(pipeline, data))
    try:
        yield run
    finally:
        run.workers.stop_all()
        run.progress.close()


def reported(name: str, result: Accounting) -> Accounting:
    print(f"\n{name}: {result.line()}")
    return result


def assert_delivered(result: Accounting) -> None:
    assert not result.lost, f"lost {len(result.lost)}: {result.lost[:20]}"
    assert result.alerts_caught_up, "the alert stage did not commit every match"
    assert not result.unabsorbed, f"matches never absorbed: {result.unabsorbed[:20]}"
    assert result.duplicate_alert_ids == 0, "\n".join(result.repeated_alerts)
    assert result.alerts > 0 and result.classified > 0 and result.dead_lettered > 0


def kill_and_restart(workers: Workers, progress: Progress) -> str:
    """SIGKILL the worker and start another at once; what the kill hit, for the report."""
    log = workers.log_of("worker")
    phase = (
        "working"
        if "Worker ready" in log
        else "recovering"
        if "Executing _on_partitions_assigned" in log
        else "starting"
    )
    workers.kill("worker")
    workers.start("worker")
    return f"SIGKILL at {progress.share():.1%} ({phase})"


@pytest.mark.slow
@pytest.mark.timeout(3000)
def test_a_worker_sigkilled_three_times_loses_nothing_and_alerts_once(
    broker: LocalBroker, tmp_path: Path, data: Corpus, rng: random.Random
):
    with scenario(broker, tmp_path, data) as run:
        run.workers.start("worker")
        for low, high in [(0.1, 0.25), (0.35, 0.5), (0.6, 0.75)]:
            run.reach(rng.uniform(low, high))
            run.workers.kill("worker")
            run.events.append(f"SIGKILL at {run.progress.share():.0%}")
            run.workers.start("worker")
        result = run.finish()
    result.events = [*run.events, f"tails re-read with unrecorded alerts: {_tails(run.workers)}"]
    assert_delivered(reported("SIGKILL x3", result))


@pytest.mark.slow
@pytest.mark.timeout(3000)
@pytest.mark.parametrize(
    "recovering",
    [
        pytest.param(False, id="30-60"),
        # Once failed in CI at 20,000 records (2026-12-06): one article the clean stage
        # published to the dedup topic was committed past by the classify stage, never
        # classified; most likely Faust's gap, closed since (streams/consumer.py: _add_gap).
        pytest.param(True, id="30-recovering-60"),
    ],
)
def test_a_worker_killed_at_30_and_60_percent_and_restarted_at_once_alerts_once(
    broker: LocalBroker, tmp_path: Path, data: Corpus, rng: random.Random, recovering: bool
):
    """The issue's run (#13): one worker SIGKILLed when about 30% and again 60% of the
    records are classified, restarted at once each time; in the second variant also killed
    while the worker restarted at 30% is still recovering (its partitions assigned, its
    changelogs being read or the records since the last commit being handled again).

    The older scenarios reported 0 alert ids twice where a user saw hundreds, because their
    corpus was 5% single-topic stories in other news: the alert stage saw a few matches of
    one topic on one partition. Real coverage matches several topics at once (matches on
    every partition, several topics per partition, so a partition's alert tail and mark
    cover several topics' state), in several outlets' copies, with published times spread
    over years (a topic's clock runs ahead, so a match repeated by an upstream redelivery
    finds its story expired and would found it again). faults.py's corpus is that mix.
    Every record must end classified, dead-lettered or dropped as a copy, no alert id may
    be on the alert topic twice, and once the last worker is working no record may wait
    longer than STALL_S while the rest go on (a user saw an article stay unclassified 40 s
    after everything else had finished)."""
    with scenario(broker, tmp_path, data) as run:
        workers, progress = run.workers, run.progress
        workers.start("worker")
        run.reach(rng.uniform(0.28, 0.32))
        run.events.append(kill_and_restart(workers, progress))
        if recovering:
            assigned = workers.wait_for_log("worker", "Executing _on_partitions_assigned", 120)
            time.sleep(rng.uniform(0.0, 3.0))
            run.events.append(kill_and_restart(workers, progress) + ("" if assigned else " late"))
        run.reach(rng.uniform(0.58, 0.62))
        run.events.append(kill_and_restart(workers, progress))
        result = run.finish(stalls=True)
    result.events = [*run.events, f"tails re-read with unrecorded alerts: {_tails(workers)}"]
    assert_delivered(reported("SIGKILL 30%/60%", result))
    assert result.longest_stall < STALL_S, "a record waited while the rest went on"


@pytest.mark.slow
@pytest.mark.timeout(3000)
def test_the_broker_stopped_and_started_mid_run_workers_reconnect_and_finish(
    broker: LocalBroker, tmp_path: Path, data: Corpus, rng: random.Random
):
    with scenario(broker, tmp_path, data) as run:
        run.workers.start("worker")
        run.reach(rng.uniform(0.2, 0.35))
        share = run.progress.share()  # not while it is down: the feeder would wait for it
        down = time.monotonic()
        broker.stop()
        run.events.append(f"broker stopped at {share:.0%}")
        broker.start()
        run.events.append(f"broker back after {time.monotonic() - down:.0f}s")
        result = run.finish()
        died = run.workers.dead()
    result.events = [*run.events, f"workers that died: {died or 'none'}"]
    assert_delivered(reported("broker restart", result))
    assert not died, "the worker did not survive the broker's restart"


@pytest.mark.slow
@pytest.mark.timeout(3000)
# Seen here at 20,000 records (2026-12-06): 2 to 10 articles lost in 4 of 7 runs, jumped
# over right after the first worker got partitions back and committed past as Faust's
# "gap"; now read again (streams/consumer.py: _add_gap), 14 of 14 runs here since.
def test_a_second_worker_joining_and_leaving_keeps_the_accounting(
    broker: LocalBroker, tmp_path: Path, data: Corpus, rng: random.Random
):
    with scenario(broker, tmp_path, data) as run:
        run.workers.start("first")
        run.reach(rng.uniform(0.1, 0.2))
        run.workers.start("second")
        run.events.append(f"second worker joined at {run.progress.share():.0%}")
        run.reach(rng.uniform(0.55, 0.7))
        run.workers.terminate("second")
        run.events.append(f"second worker left (SIGTERM) at {run.progress.share():.0%}")
        result = run.finish()
    result.events = run.events
    assert_delivered(reported("rebalance", result))


def test_an_alert_published_before_a_crash_is_not_sent_again(pipeline: Pipeline):
    """The state the SIGKILL window leaves, made on purpose: a match's alert is on the alert
    topic (after the partition's mark: there is none yet) and the state never absorbed the
    match. The worker must record the story without publishing the alert a second time."""
    _, value = raw_copy(0, datetime.now(UTC) - timedelta(minutes=5), "tail")
    article = {**json.loads(value), "id": "tail-story-1"}
    expected = alert_id("russia-ukraine", "tail-story-1", "story")
    # Where the topic's matches go (Kafka's default partitioner; the fixture has 2 partitions),
    # and so its alerts.
    partition = (murmur2(b"russia-ukraine") & 0x7FFFFFFF) % 2
    before = KafkaProducer(bootstrap_servers=pipeline.bootstrap, acks="all")
    before.send(pipeline.topic("alerts"), key=expected.encode(), value=b"{}", partition=partition)
    before.flush(30)
    before.close()
    with pipeline.worker() as worker:
        pipeline.produce("raw", [(b"tail-story-1", json.dumps(article).encode())])
        wait_until(
            lambda: _story_in_state(pipeline),
            120,
            step=0.5,
            what=lambda: f"the story\n{worker.log_text()[-3000:]}",
        )
        log = worker.log_text()
    values = read_topic(pipeline.bootstrap, pipeline.topic("alerts"), 10**6, timeout=5)
    assert values == [b"{}"], values  # only the alert "published before the crash"
    assert "published before a restart and not recorded" in log


def _story_in_state(pipeline: Pipeline) -> bool:
    return any(isinstance(v, Story) for v in state_now(pipeline).values())


def _tails(workers: Workers) -> int:
    return workers.logs().count("were published before a restart and not recorded")
