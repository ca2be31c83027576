"""Fault injection for the delivery tests: an invented corpus, a broker of our own, accounting.

The corpus is written here (no corpus text): word salad with Russia-Ukraine terms for the
stories, without for the rest, a few malformed records for the dead-letter topic and a few
exact copies (same URL and text, another id) for the clean stage's duplicate drop. Every
record's key is its article id, so the classified topic (keyed by article id) and the
dead-letter topic (keyed by the original key) say what became of each one.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition

from tests.kafka_broker import LOCAL_BROKER, START_TIMEOUT_S
from tests.processes import Pipeline, free_port, stop

#: Words of no topic in the default taxonomy: only the story articles match one.
_SALAD = (
    "council harbour farmers rail summer school river village museum weather forecast "
    "library garden orchestra airport runway cargo coffee bakery bread cheese referee "
    "stadium tickets mayor housing rents tenants landlord planning permit cyclists lanes "
    "traffic buses trams drivers union wages pension savings panels turbines coast "
    "volunteers charity guitar author poetry prize science telescope comet laboratory study "
    "students exams teachers university campus research grant battery factory shift "
    "shipping port container crane dock fishing boats catch quota forest rangers deer "
    "hikers mountain snow ski resort hotel tourists beach ferry island lighthouse station "
    "report survey census families children kettle teapot curtain sofa pillow carpet "
    "lantern pebble meadow violet copper velvet ribbon marble puzzle tulip hedge pottery barn"
)
_TERMS = (
    "Russia Ukraine Kyiv Moscow Kremlin Zelensky Putin Ukrainian Russian troops shelling "
    "Donbas Kharkiv Crimea drones"
)
_WORDS = _SALAD.split()
_RU_TERMS = _TERMS.split()
_OUTLETS = ("Daily Ledger", "Northern Post", "Metro Herald", "Valley Times", "Coastal Star")


def _sentence(rng: random.Random, terms: tuple[str, ...] = (), length: int = 12) -> str:
    words = rng.choices(_WORDS, k=length)
    for term in terms:
        words.insert(rng.randrange(len(words)), term)
    return " ".join(words).capitalize() + "."


def _story_text(rng: random.Random) -> tuple[str, str]:
    """A title and six sentences, each carrying two Russia-Ukraine terms."""
    title = f"{rng.choice(_RU_TERMS[:3])} and {rng.choice(_RU_TERMS[3:6])}: " + " ".join(
        rng.choices(_WORDS, k=4)
    )
    text = " ".join(_sentence(rng, tuple(rng.sample(_RU_TERMS, 2))) for _ in range(6))
    return title, text


def _other_text(rng: random.Random) -> tuple[str, str]:
    title = " ".join(rng.choices(_WORDS, k=6)).capitalize()
    return title, " ".join(_sentence(rng) for _ in range(3))


def _edited(rng: random.Random, text: str) -> str:
    """A sub-editor's copy: three words changed, the outlet's line added."""
    words = text.split(" ")
    for _ in range(3):
        words[rng.randrange(len(words))] = rng.choice(_WORDS)
    return " ".join(words) + f" Read more from {rng.choice(_OUTLETS)}."


@dataclass
class Corpus:
    """Records to publish, and what should become of them."""

    records: list[tuple[bytes, bytes]] = field(default_factory=list)
    malformed: set[str] = field(default_factory=set)
    #: copy id -> the id of the article it copies; exactly one of each group is classified
    copies: dict[str, str] = field(default_factory=dict)
    stories: int = 0

    @property
    def ids(self) -> set[str]:
        return {key.decode() for key, _ in self.records}


def corpus(size: int, seed: int = 9) -> Corpus:
    """`size` records: ~5% story copies, ~92% other news, 2% malformed, 1% exact copies."""
    rng = random.Random(seed)
    start = datetime.now(UTC) - timedelta(days=3)
    out = Corpus()
    articles: list[dict[str, str]] = []
    while len(out.records) < size:
        n = len(out.records)
        roll = rng.random()
        if roll < 0.02:
            _add_malformed(out, rng, f"bad{n:05d}")
        elif roll < 0.03 and articles:
            original = rng.choice(articles)
            copy_id = f"dup{n:05d}"
            out.copies[copy_id] = original["id"]
            out.records.append((copy_id.encode(), json.dumps({**original, "id": copy_id}).encode()))
        elif roll < 0.05:
            out.stories += 1
            title, text = _story_text(rng)
            first = start + timedelta(minutes=rng.randrange(3 * 24 * 60))
            for copy in range(rng.randint(1, 4)):
                published = first + timedelta(minutes=rng.randrange(0, 90) if copy else 0)
                body = _edited(rng, text) if copy else text
                _add(out, articles, f"ru{n:05d}-{copy}", title, body, published)
        else:
            title, text = _other_text(rng)
            published = start + timedelta(minutes=rng.randrange(3 * 24 * 60))
            _add(out, articles, f"news{n:05d}", title, text, published)
    del out.records[size:]
    kept = out.ids
    out.copies = {c: o for c, o in out.copies.items() if c in kept}
    out.malformed &= kept
    return out


def _add(
    out: Corpus,
    articles: list[dict[str, str]],
    article_id: str,
    title: str,
    text: str,
    published: datetime,
) -> None:
    article = {
        "id": article_id,
        "title": title,
        "text": text,
        "source": "example.org",
        "url": f"https://news.example.org/{article_id}",
        "published": published.isoformat(),
    }
    articles.append(article)
    out.records.append((article_id.encode(), json.dumps(article).encode()))


def _add_malformed(out: Corpus, rng: random.Random, article_id: str) -> None:
    value = rng.choice(
        [
            b"{not json",
            b"",
            json.dumps({"id": article_id, "title": 5, "text": ["x"]}).encode(),
            json.dumps({"id": article_id, "title": "Short", "text": "Too short."}).encode(),
        ]
    )
    out.malformed.add(article_id)
    out.records.append((article_id.encode(), value))


# ---- a broker of our own -------------------------------------------------------------


#: Where `ops/kafka/local-broker install` (run by .ci/run) leaves the resolved classpath.
INSTALLED = LOCAL_BROKER.parents[2] / ".local" / "kafka"
START_S = 240  # a JVM on two loaded cores can take minutes


class LocalBroker:
    """ops/kafka/local-broker on free ports in a temporary folder: start, stop, start again."""

    def __init__(self, state: Path) -> None:
        self.env = {
            **os.environ,
            "NEWSRADAR_KAFKA_STATE": str(state),
            "NEWSRADAR_KAFKA_PORT": str(free_port()),
            "NEWSRADAR_KAFKA_CONTROLLER_PORT": str(free_port()),
            "NEWSRADAR_KAFKA_START_TIMEOUT": str(START_S),
            "NEWSRADAR_KAFKA_STOP_TIMEOUT": "20",
        }
        self.address = f"127.0.0.1:{self.env['NEWSRADAR_KAFKA_PORT']}"
        for classpath in INSTALLED.glob("classpath-*.txt"):  # no Maven run per broker
            shutil.copy2(classpath, state / classpath.name)

    def _run(self, command: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(LOCAL_BROKER), command],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=max(START_TIMEOUT_S, START_S + 60),
            check=False,
        )

    def start(self) -> None:
        try:
            started = self._run("start")
        except subprocess.TimeoutExpired:
            self.stop()  # the JVM runs in its own session: stopped by its pid file
            raise
        if started.returncode != 0:
            raise RuntimeError(f"local broker did not start:\n{started.stdout}{started.stderr}")

    def stop(self) -> None:
        self._run("stop")


@contextmanager
def own_broker() -> Iterator[LocalBroker]:
    with tempfile.TemporaryDirectory(prefix="newsradar-faults-") as state:
        broker = LocalBroker(Path(state))
        broker.start()
        try:
            yield broker
        finally:
            broker.stop()


# ---- publishing and accounting ---------------------------------------------------------


class KeyReader:
    """Follows a topic from the beginning, counting each key: call `poll` repeatedly."""

    def __init__(self, bootstrap: str, topic: str) -> None:
        self.topic = topic
        self.keys: Counter[str] = Counter()
        self.consumer = KafkaConsumer(
            bootstrap_servers=bootstrap,
            group_id=None,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            isolation_level="read_committed",
            fetch_max_bytes=64 * 1024 * 1024,
            max_partition_fetch_bytes=16 * 1024 * 1024,
            max_poll_records=20_000,
        )
        self.assigned = False

    def poll(self, timeout_ms: int = 500) -> None:
        """Whatever arrived since the last call (tolerates a broker that is away)."""
        try:
            if not self.assigned:
                partitions = self.consumer.partitions_for_topic(self.topic) or set()
                if not partitions:
                    return
                self.consumer.assign([TopicPartition(self.topic, p) for p in partitions])
                self.assigned = True
            for records in self.consumer.poll(timeout_ms=timeout_ms).values():
                self.keys.update(r.key.decode() for r in records if r.key is not None)
        except Exception:  # the broker restart scenario: try again at the next call
            time.sleep(0.5)

    def drain(self, timeout: float = 120) -> None:
        """Read up to the end offsets as they are now."""
        deadline = time.monotonic() + timeout
        while not self.assigned and time.monotonic() < deadline:
            self.poll()
        partitions = list(self.consumer.assignment())
        ends = self.consumer.end_offsets(partitions)
        while time.monotonic() < deadline and any(
            self.consumer.position(tp) < end for tp, end in ends.items()
        ):
            self.poll()

    def close(self) -> None:
        self.consumer.close()


@dataclass
class Accounting:
    """What became of every record sent; the figures the issue asks for."""

    sent: int
    classified: int
    dead_lettered: int
    dropped: int
    lost: list[str]
    duplicate_classified: int
    alerts: int
    duplicate_alert_ids: int
    seconds: float = 0.0
    events: list[str] = field(default_factory=list)

    def line(self) -> str:
        return (
            f"sent={self.sent} classified={self.classified} dead-lettered={self.dead_lettered}"
            f" dropped={self.dropped} lost={len(self.lost)}"
            f" duplicate-classified-records={self.duplicate_classified} alerts={self.alerts}"
            f" duplicate-alert-ids={self.duplicate_alert_ids} wall={self.seconds:.0f}s"
            f" events={'; '.join(self.events)}"
        )


def unaccounted(
    data: Corpus, classified: Counter[str], dead: Counter[str], ids: set[str] | None = None
) -> list[str]:
    """Ids (of `ids`, else all) neither classified, nor dead-lettered, nor a copy whose
    group was classified."""
    groups: dict[str, set[str]] = {}
    for copy, original in data.copies.items():
        groups.setdefault(original, {original}).add(copy)
    missing = []
    for article_id in data.ids if ids is None else ids:
        if article_id in classified or article_id in dead:
            continue
        root = data.copies.get(article_id, article_id)
        if root in groups and any(member in classified for member in groups[root]):
            continue
        missing.append(article_id)
    return sorted(missing)


def account(
    data: Corpus, classified: Counter[str], dead: Counter[str], alerts: Counter[str]
) -> Accounting:
    lost = unaccounted(data, classified, dead)
    ids = data.ids
    done = [i for i in ids if i in classified]
    dead_only = [i for i in ids if i in dead and i not in classified]
    return Accounting(
        sent=len(ids),
        classified=len(done),
        dead_lettered=len(dead_only),
        dropped=len(ids) - len(done) - len(dead_only) - len(lost),
        lost=lost,
        duplicate_classified=sum(n - 1 for n in classified.values() if n > 1),
        alerts=len(alerts),
        duplicate_alert_ids=sum(1 for n in alerts.values() if n > 1),
    )


def group_lag(bootstrap: str, group: str, topics: list[str]) -> int | None:
    """Records of `topics` the consumer group has not committed yet (None: cannot tell)."""
    try:
        admin = KafkaAdminClient(bootstrap_servers=bootstrap)
        consumer = KafkaConsumer(bootstrap_servers=bootstrap, group_id=None)
        try:
            committed = admin.list_consumer_group_offsets(group)
            partitions = [
                TopicPartition(t, p) for t in topics for p in consumer.partitions_for_topic(t) or ()
            ]
            ends = consumer.end_offsets(partitions)
        finally:
            consumer.close()
            admin.close()
    except Exception:
        return None
    return sum(end - (committed[tp].offset if tp in committed else 0) for tp, end in ends.items())


def wait_until(condition: Callable[[], bool], timeout: float, step: float = 0.5) -> bool:
    """Poll `condition` until it holds or `timeout` seconds passed."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(step)
    return condition()


# ---- a scenario: preload, run workers under a fault, wait, account -------------------------


class Workers:
    """`newsradar worker` processes of one pipeline, started and killed at will, all stopped."""

    def __init__(self, pipeline: Pipeline, **extra: str) -> None:
        self.pipeline, self.extra = pipeline, extra
        self.running: dict[str, subprocess.Popen[bytes]] = {}
        self.starts = 0

    def start(self, name: str) -> None:
        self.starts += 1
        log = (self.pipeline.workdir / f"{name}-{self.starts}.log").open("wb")
        self.running[name] = subprocess.Popen(
            [sys.executable, "-m", "streams", "worker"],
            env=self.pipeline.env(**self.extra),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()

    def kill(self, name: str) -> None:
        process = self.running.pop(name)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(10)

    def terminate(self, name: str) -> None:
        stop(self.running.pop(name))

    def dead(self) -> list[str]:
        return [name for name, process in self.running.items() if process.poll() is not None]

    def stop_all(self) -> None:
        for name in list(self.running):
            self.terminate(name)

    def logs(self) -> str:
        paths = sorted(self.pipeline.workdir.glob("*.log"))
        return "\n".join(p.read_text(encoding="utf-8", errors="replace") for p in paths)


class Progress:
    """Feeds the corpus and follows what became of it (classified and dead-letter topics).

    Records go in as the pipeline takes them, at most `window` ahead of what is accounted
    for: a raw backlog larger than Faust's stream buffer (4096) stalls every other agent of
    the worker until the clean agent has worked through it, and a fault would then only
    ever hit the clean stage.
    """

    def __init__(self, pipeline: Pipeline, data: Corpus, window: int = 2000) -> None:
        self.data, self.window, self.sent = data, window, 0
        self.topic = pipeline.topic("raw")
        self.producer = KafkaProducer(
            bootstrap_servers=pipeline.bootstrap, acks="all", linger_ms=20, retries=100
        )
        self.classified = KeyReader(pipeline.bootstrap, pipeline.topic("classified"))
        self.dead = KeyReader(pipeline.bootstrap, pipeline.topic("deadletter"))

    def share(self) -> float:
        """The share of the corpus accounted for; sends more when the pipeline caught up."""
        self.classified.poll(200)
        self.dead.poll(50)
        done = self.sent - len(self.missing())
        if self.sent < len(self.data.records) and self.sent - done < self.window:
            self._send(min(len(self.data.records), done + self.window))
        return done / len(self.data.records)

    def _send(self, until: int) -> None:
        """Every record acknowledged, resent until it is (the broker may have just restarted):
        a record the feeder dropped would count as lost by the pipeline."""
        chunk = self.data.records[self.sent : until]
        for _ in range(60):
            futures = [(r, self.producer.send(self.topic, key=r[0], value=r[1])) for r in chunk]
            self.producer.flush(timeout=120)
            chunk = [record for record, future in futures if not future.succeeded()]
            if not chunk:
                self.sent = until
                return
            time.sleep(1)
        raise AssertionError(f"the feeder could not publish {len(chunk)} records")

    def missing(self) -> list[str]:
        """Sent and not accounted for yet."""
        sent = {key.decode() for key, _ in self.data.records[: self.sent]}
        return unaccounted(self.data, self.classified.keys, self.dead.keys, sent)

    def close(self) -> None:
        self.producer.close()
        self.classified.close()
        self.dead.close()


def create_topics(pipeline: Pipeline, partitions: int) -> None:
    created = subprocess.run(
        [sys.executable, "-m", "streams", "topics", "create"],
        env=pipeline.env(NEWSRADAR_TOPICS__PARTITIONS=str(partitions)),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert created.returncode == 0, created.stderr


def wait_for_share(progress: Progress, share: float, workers: Workers, timeout: float) -> None:
    """Until `share` of the corpus is accounted for; fails if every worker died meanwhile."""

    def reached() -> bool:
        if workers.running and len(workers.dead()) == len(workers.running):
            raise AssertionError(f"every worker died:\n{workers.logs()[-4000:]}")
        return progress.share() >= share

    assert wait_until(reached, timeout, step=0.5), f"not {share:.0%} in {timeout}s"


def finish(
    pipeline: Pipeline, data: Corpus, progress: Progress, started: float, timeout: float
) -> Accounting:
    """Wait until every record is accounted for and the alert stage caught up; count."""
    wait_until(lambda: progress.share() >= 1.0, timeout, step=1.0)
    group = f"newsradar-test-{pipeline.suffix}"
    wait_until(lambda: group_lag(pipeline.bootstrap, group, [pipeline.topic("matches")]) == 0, 90)
    progress.classified.drain()
    progress.dead.drain()
    alerts = KeyReader(pipeline.bootstrap, pipeline.topic("alerts"))
    try:
        alerts.drain()
        result = account(data, progress.classified.keys, progress.dead.keys, alerts.keys)
    finally:
        alerts.close()
    result.seconds = time.monotonic() - started
    return result
