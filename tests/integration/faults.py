"""Fault injection for the delivery tests: an invented corpus, a broker of our own, accounting.

The corpus is written here (no corpus text), as a real-world mix rather than one topic's
stories in other news: real coverage matches several topics of the default taxonomy at
once, comes from several outlets in near-duplicate copies, and arrives out of order with
published times spread over years (a backfill of an archive among the day's news). That is
what makes the alert stage busy on every partition, with several topics per partition,
and what makes a redelivered match find its story expired. Plus a few malformed records
for the dead-letter topic and a few exact copies (same URL and text, another id) for the
clean stage's duplicate drop. Every record's key is its article id, so the classified
topic (keyed by article id) and the dead-letter topic (keyed by the original key) say what
became of each one.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from pathlib import Path

from kafka import KafkaConsumer, KafkaProducer, TopicPartition

from streams.alerting.repeats import DIGEST_BYTES, digest
from tests.processes import Pipeline, stop
from tests.support import committed_offsets, uncommitted, wait_until, within

#: Words of no topic in the default taxonomy: the filler of every sentence.
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
_WORDS = _SALAD.split()
#: Each topic's words as a reporter might use them (ours), for topics of the default
#: taxonomy (streams/classification/default_taxonomy.yaml): an article on a topic carries
#: one in its title and one in every paragraph, which passes the topic's query.
TOPIC_WORDS: dict[str, tuple[str, ...]] = {
    "russia-ukraine": (
        "Kyiv",
        "Kharkiv shelling",
        "Ukrainian troops",
        "the front line in Donbas",
        "Russian forces near Zaporizhzhia",
        "air defence over Odesa",
        "the counteroffensive",
    ),
    "markets-economy": (
        "inflation",
        "interest rates",
        "investors",
        "the central bank",
        "the economy",
        "shareholders",
        "economists",
    ),
    "uk-politics": (
        "Westminster",
        "Downing Street",
        "MPs",
        "the House of Commons",
        "Labour",
        "the Tories",
        "the shadow cabinet",
    ),
    "technology": (
        "software",
        "artificial intelligence",
        "smartphones",
        "the internet",
        "broadband",
        "semiconductors",
        "online",
    ),
    "sport": (
        "football",
        "the league",
        "the tournament",
        "the striker",
        "the championship",
        "the coach",
        "the squad",
    ),
    "public-health": (
        "the hospital",
        "vaccines",
        "the outbreak",
        "patients",
        "nurses",
        "the NHS",
        "measles",
    ),
    "middle-east": (
        "the Gaza ceasefire",
        "missile strikes near Beirut",
        "hostages held in Gaza",
        "Houthi missile attacks",
        "an airstrike in Syria",
    ),
    "climate-energy": ("climate", "emissions", "renewables", "carbon", "net zero"),
    "crime-justice": ("police", "the court", "the jury", "prosecutors", "detectives"),
    "disasters": ("the earthquake", "floods", "wildfires", "the hurricane", "a landslide"),
    "entertainment": ("the film", "the album", "the concert", "the festival", "actors"),
    "us-politics": ("the Senate", "Congress", "Republicans", "Democrats", "the governor"),
}
#: How often coverage is on no topic, one, two or three at once.
_TOPICS_PER_STORY = ((0, 0.25), (1, 0.35), (2, 0.28), (3, 0.12))
#: How many outlets carry a story (near-duplicate copies), and how often.
_COPIES = ((1, 0.45), (2, 0.25), (3, 0.15), (4, 0.1), (6, 0.05))
_OUTLETS = (
    "Daily Ledger",
    "Northern Post",
    "Metro Herald",
    "Valley Times",
    "Coastal Star",
    "Evening Lamp",
    "Harbour Gazette",
    "Upland Courier",
)
#: A quarter of the stories come from an archive spread over three years, mixed in among
#: the day's: a topic's clock (its newest published time) runs ahead of them, so each finds
#: its story expired, and a repeat of it finds no live story either.
_ARCHIVE_SHARE = 0.25
_ARCHIVE_DAYS = 3 * 365
#: The rest cover the last sixty days, in order give or take half a day.
_RECENT_DAYS = 60
_JITTER_HOURS = 12


def _weighted(rng: random.Random, table: tuple[tuple[int, float], ...]) -> int:
    values, weights = zip(*table, strict=True)
    return rng.choices(values, weights=weights)[0]


def _sentence(rng: random.Random, terms: tuple[str, ...] = (), length: int = 12) -> str:
    words = rng.choices(_WORDS, k=length)
    for term in terms:
        words.insert(rng.randrange(len(words)), term)
    return " ".join(words).capitalize() + "."


def _story_text(rng: random.Random, topics: tuple[str, ...]) -> tuple[str, str]:
    """A title and four to six paragraphs: every paragraph carries a word of each topic
    (two of the first), the title the first topic's and maybe the second's."""
    words = [TOPIC_WORDS[t] for t in topics]
    title = " ".join(rng.choices(_WORDS, k=4)).capitalize()
    if words:
        title = f"{rng.choice(words[0])}: {title}"
    if len(words) > 1 and rng.random() < 0.5:
        title = f"{title} and {rng.choice(words[1])}"
    title = title[:1].upper() + title[1:]
    paragraphs = []
    for _ in range(rng.randint(4, 6)):
        terms = tuple(rng.choice(w) for w in [*words[:1], *words])  # two of the first
        paragraphs.append(" ".join(_sentence(rng, terms) for _ in range(2)))
    return title, "\n".join(paragraphs)


def _edited(rng: random.Random, text: str, outlet: str) -> str:
    """A sub-editor's copy: three words changed, the outlet's line added."""
    words = text.split(" ")
    for _ in range(3):
        words[rng.randrange(len(words))] = rng.choice(_WORDS)
    return " ".join(words) + f"\nReported for the {outlet} by our staff."


@dataclass
class Corpus:
    """Records to publish, and what should become of them."""

    records: list[tuple[bytes, bytes]] = field(default_factory=list)
    malformed: set[str] = field(default_factory=set)
    #: copy id -> the id of the article it copies; exactly one of each group is classified
    copies: dict[str, str] = field(default_factory=dict)
    #: article id -> the topics it was written for (none: other news)
    topics: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def ids(self) -> set[str]:
        return {key.decode() for key, _ in self.records}


def corpus(size: int, seed: int = 9) -> Corpus:
    """`size` records of the real-world mix, in arrival order: stories on none, one, two or
    three topics in one to six outlets' copies (published within four hours of each
    other), three quarters of them from the last sixty days in order give or take half a
    day, a quarter from the last three years at random; 2% malformed, 1% exact copies."""
    rng = random.Random(seed)
    now = datetime.now(UTC)
    out = Corpus()
    placed: list[tuple[float, bytes, bytes]] = []  # (arrival, key, value)
    articles: list[tuple[float, dict[str, str]]] = []
    n = 0
    while len(placed) < size:
        n += 1
        arrival = n + rng.random()
        roll = rng.random()
        if roll < 0.04:  # a story is two records on average: 2% of the records
            placed.append((arrival, *_malformed(out, rng, f"bad{n:05d}")))
        elif roll < 0.06 and articles:  # 1%
            when, original = rng.choice(articles[-200:])
            copy_id = f"dup{n:05d}"
            out.copies[copy_id] = original["id"]
            out.topics[copy_id] = out.topics[original["id"]]
            value = json.dumps({**original, "id": copy_id}).encode()
            placed.append((max(arrival, when + 1), copy_id.encode(), value))
        else:
            share = len(placed) / size  # where the feed is, in its sixty days
            for when, article in _story(out, rng, f"s{n:05d}", now, share):
                articles.append((arrival, article))
                value = json.dumps(article).encode()
                placed.append((arrival + when, article["id"].encode(), value))
    placed.sort(key=lambda item: item[0])
    out.records = [(key, value) for _, key, value in placed[:size]]
    kept = out.ids
    out.copies = {c: o for c, o in out.copies.items() if c in kept and o in kept}
    out.malformed &= kept
    out.topics = {i: t for i, t in out.topics.items() if i in kept}
    return out


def _story(
    out: Corpus, rng: random.Random, story: str, now: datetime, share: float
) -> list[tuple[float, dict[str, str]]]:
    """One story's copies, each with how many records later than the story's turn it arrives
    (a few: the copies arrive among other stories, not in published order)."""
    topics = tuple(rng.sample(sorted(TOPIC_WORDS), _weighted(rng, _TOPICS_PER_STORY)))
    if rng.random() < _ARCHIVE_SHARE:
        first = now - timedelta(days=rng.uniform(_RECENT_DAYS, _ARCHIVE_DAYS))
    else:
        day = _RECENT_DAYS * (1 - min(share, 1.0))
        first = now - timedelta(days=day, hours=rng.uniform(-_JITTER_HOURS, _JITTER_HOURS))
    title, text = _story_text(rng, topics)
    outlets = rng.sample(_OUTLETS, _weighted(rng, _COPIES))
    copies = []
    for number, outlet in enumerate(outlets):
        article_id = f"{story}-{number}"
        published = first + timedelta(minutes=rng.randrange(0, 240) if number else 0)
        slug = outlet.lower().replace(" ", "")
        article = {
            "id": article_id,
            "title": title,
            "text": _edited(rng, text, outlet) if number else text,
            "source": outlet,
            "url": f"https://{slug}.example.org/{article_id}",
            "published": min(published, now).isoformat(),
        }
        out.topics[article_id] = topics
        copies.append((rng.uniform(0, 30) if number else 0.0, article))
    return copies


def _malformed(out: Corpus, rng: random.Random, article_id: str) -> tuple[bytes, bytes]:
    value = rng.choice(
        [
            b"{not json",
            b"",
            json.dumps({"id": article_id, "title": 5, "text": ["x"]}).encode(),
            json.dumps({"id": article_id, "title": "Short", "text": "Too short."}).encode(),
        ]
    )
    out.malformed.add(article_id)
    return article_id.encode(), value


# ---- publishing and accounting ---------------------------------------------------------


class KeyReader:
    """Follows a topic from the beginning, counting each key: call `poll` repeatedly.
    `positions`: also remember where each key was (partition, offset), to say where a
    repeated alert id is."""

    def __init__(self, bootstrap: str, topic: str, *, positions: bool = False) -> None:
        self.topic = topic
        self.keys: Counter[str] = Counter()
        self.where: dict[str, list[tuple[int, int]]] | None = {} if positions else None
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
                for r in records:
                    if r.key is None:
                        continue
                    key = r.key.decode()
                    self.keys[key] += 1
                    if self.where is not None:
                        self.where.setdefault(key, []).append((r.partition, r.offset))
        except Exception:  # the broker restart scenario: try again at the next call
            time.sleep(0.5)

    def drain(self, timeout: float = 120) -> None:
        """Read up to the end offsets as they are now; fails if that takes over `timeout`:
        a topic read in part would hide what the test looks for."""
        deadline = time.monotonic() + timeout
        while not self.assigned and time.monotonic() < deadline:
            self.poll()
        partitions = list(self.consumer.assignment())
        ends = self.consumer.end_offsets(partitions)
        while any(self.consumer.position(tp) < end for tp, end in ends.items()):
            assert time.monotonic() < deadline, f"{self.topic} not read to its end in {timeout}s"
            self.poll()

    def repeated(self, limit: int = 10) -> list[str]:
        """Each key seen more than once (up to `limit`): where, and the record times of each
        copy (`alerted`, `published` of an alert), read again from the topic."""
        where = self.where or {}
        found = []
        for key, count in self.keys.items():
            if count > 1 and len(found) < limit:
                copies = [self._fields(partition, offset) for partition, offset in where[key]]
                found.append(f"{key} x{count}: " + " | ".join(copies))
        return found

    def _fields(self, partition: int, offset: int) -> str:
        tp = TopicPartition(self.topic, partition)
        consumer = KafkaConsumer(bootstrap_servers=self.consumer.config["bootstrap_servers"])
        try:
            consumer.assign([tp])
            consumer.seek(tp, offset)
            for records in consumer.poll(timeout_ms=10_000, max_records=1).values():
                value = json.loads(records[0].value or b"{}")
                times = {k: value.get(k) for k in ("kind", "story_id", "alerted", "published")}
                return f"p{partition}@{offset} {times}"
        finally:
            consumer.close()
        return f"p{partition}@{offset} (not read back)"

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
    #: The longest time the pipeline accounted for no record while some were missing, once
    #: the last worker had started working (a record stuck while the rest went on).
    longest_stall: float = 0.0
    #: The alert stage committed every match before the alert topic was read.
    alerts_caught_up: bool = True
    #: Matches (topic/article@partition:offset) the alert stage never absorbed
    #: (`unabsorbed_matches`).
    unabsorbed: list[str] = field(default_factory=list)
    repeated_alerts: list[str] = field(default_factory=list)
    events: list[str] = field(default_factory=list)
    #: Where the first lost records are on each topic (`traces`), to find where they went.
    traces: list[str] = field(default_factory=list)

    def line(self) -> str:
        return (
            f"sent={self.sent} classified={self.classified} dead-lettered={self.dead_lettered}"
            f" dropped={self.dropped} lost={len(self.lost)}"
            f" duplicate-classified-records={self.duplicate_classified} alerts={self.alerts}"
            f" duplicate-alert-ids={self.duplicate_alert_ids} wall={self.seconds:.0f}s"
            f" matches-not-absorbed={len(self.unabsorbed)}"
            f" longest-stall={self.longest_stall:.0f}s events={'; '.join(self.events)}"
            + "".join(f"\n  repeated alert {r}" for r in self.repeated_alerts)
            + "".join(f"\n  not absorbed {m}" for m in self.unabsorbed[:30])
            + "".join(f"\n  lost {article}" for article in self.lost[:30])
            + "".join(f"\n  {trace}" for trace in self.traces)
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


def read_all(bootstrap: str, topic: str, timeout: float = 120) -> list[tuple[bytes, bytes]]:
    """Every (key, value) on a topic, from its beginning to its end offsets as they are now."""
    return [(key, value) for key, value, _ in read_placed(bootstrap, topic, timeout)]


def read_placed(bootstrap: str, topic: str, timeout: float = 120) -> list[tuple[bytes, bytes, str]]:
    """`read_all`, each record with its place ("partition:offset")."""
    consumer = KafkaConsumer(
        bootstrap_servers=bootstrap,
        group_id=None,
        enable_auto_commit=False,
        fetch_max_bytes=64 * 1024 * 1024,
        max_partition_fetch_bytes=16 * 1024 * 1024,
    )
    out: list[tuple[bytes, bytes, str]] = []
    try:
        partitions = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or ()]
        consumer.assign(partitions)
        consumer.seek_to_beginning()
        ends = consumer.end_offsets(partitions)
        deadline = time.monotonic() + timeout
        while any(consumer.position(tp) < end for tp, end in ends.items()):
            assert time.monotonic() < deadline, f"{topic} not read to its end in {timeout}s"
            for records in consumer.poll(timeout_ms=500).values():
                out.extend(
                    (r.key or b"", r.value or b"", f"{r.partition}:{r.offset}") for r in records
                )
    finally:
        consumer.close()
    return out


def unabsorbed_matches(pipeline: Pipeline) -> list[str]:
    """Matches on the match topic (topic, article) that the alert stage never absorbed: not
    in their topic's ring of absorbed articles (streams/alerting/repeats.py), as the alert
    state's changelog holds it at the end. A match the transport gave up on, or committed
    past unprocessed, is an alert never raised, which the classified topic cannot show."""
    matches: dict[tuple[str, str], str] = {}  # (topic, article) -> where it first was
    for key, value, place in read_placed(pipeline.bootstrap, pipeline.topic("matches")):
        match = json.loads(value)
        matches.setdefault((key.decode(), match["article"]["id"]), place)
    rings: dict[str, bytes] = {}
    changelog = f"{pipeline.app_id}-alert-state-changelog"
    for key, value in read_all(pipeline.bootstrap, changelog):
        name = key.decode().strip('"')
        if name.startswith("r|"):
            rings[name] = value[1:] if value[:1] == b"R" else b""  # a deletion empties it
    held: dict[str, set[bytes]] = {}
    for name, digests in rings.items():
        topic = name.split("|")[1]
        chunks = (digests[i : i + DIGEST_BYTES] for i in range(0, len(digests), DIGEST_BYTES))
        held.setdefault(topic, set()).update(chunks)
    return sorted(
        f"{topic}/{article}@{place}"
        for (topic, article), place in matches.items()
        if digest(article) not in held.get(topic, set())
    )


def traces(pipeline: Pipeline, ids: list[str]) -> list[str]:
    """For each id, its records (partition:offset) on the raw, dedup, classified and dead
    letter topics, and the group's committed offsets: where a lost record stopped."""
    if not ids:
        return []
    group = pipeline.app_id
    topics = {
        "raw": pipeline.topic("raw"),
        "dedup": f"{group}-clean-dedup",
        "classified": pipeline.topic("classified"),
        "deadletter": pipeline.topic("deadletter"),
    }
    found: dict[str, dict[str, list[str]]] = {i: {} for i in ids}
    for name, topic in topics.items():
        for key, value, place in read_placed(pipeline.bootstrap, topic):
            for article in ids:
                if key == article.encode() or f'"{article}"'.encode() in value:
                    found[article].setdefault(name, []).append(place)
    names = {topics["raw"]: "raw", topics["dedup"]: "dedup"}
    marks = sorted(
        f"{names[tp.topic]}[{tp.partition}]={offset}"
        for tp, offset in committed_offsets(pipeline.bootstrap, group).items()
        if tp.topic in names
    )
    lines = [f"{article}: {places or 'nowhere'}" for article, places in found.items()]
    return [*lines, f"committed: {' '.join(marks)}"]


def group_lag(bootstrap: str, group: str, topics: list[str]) -> int | None:
    """support.uncommitted, or None where it cannot tell (the broker is away)."""
    try:
        return uncommitted(bootstrap, group, topics)
    except Exception:
        return None


# ---- a scenario: preload, run workers under a fault, wait, account -------------------------


#: What a worker's log says once its partitions are recovered and its agents run.
READY = "Worker ready"


class Workers:
    """`newsradar worker` processes of one pipeline, started and killed at will, all stopped."""

    def __init__(self, pipeline: Pipeline, **extra: str) -> None:
        self.pipeline, self.extra = pipeline, extra
        self.running: dict[str, subprocess.Popen[bytes]] = {}
        self.log_paths: dict[str, Path] = {}
        self.starts = 0
        #: When the last process started was first seen ready (its log said so), monotonic
        self.ready_at: float | None = None

    def start(self, name: str) -> None:
        self.starts += 1
        self.ready_at = None
        path = self.log_paths[name] = self.pipeline.workdir / f"{name}-{self.starts}.log"
        log = path.open("wb")
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

    def log_of(self, name: str) -> str:
        """The log of the process now (or last) running under `name`."""
        return self.log_paths[name].read_text(encoding="utf-8", errors="replace")

    def note_ready(self, name: str) -> None:
        """Remember when the process under `name` is first seen ready (call it often)."""
        if self.ready_at is None and name in self.running and READY in self.log_of(name):
            self.ready_at = time.monotonic()

    def wait_for_log(self, name: str, text: str, timeout: float) -> bool:
        """Until the process's log says `text`; False if it did not within `timeout`."""
        return within(lambda: text in self.log_of(name), timeout, step=0.1)


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
        #: (monotonic time, records accounted for), each time that count moved
        self.history: list[tuple[float, int]] = [(time.monotonic(), 0)]

    def share(self) -> float:
        """The share of the corpus accounted for; sends more when the pipeline caught up."""
        self.classified.poll(200)
        self.dead.poll(50)
        done = self.sent - len(self.missing())
        if done != self.history[-1][1]:
            self.history.append((time.monotonic(), done))
        if self.sent < len(self.data.records) and self.sent - done < self.window:
            self._send(min(len(self.data.records), done + self.window))
        return done / len(self.data.records)

    def longest_stall(self, since: float) -> float:
        """The longest wait for the next record to be accounted for, from `since` (when the
        last worker was ready: its startup and recovery are not stalls) to the last record."""
        times = [since, *(t for t, _ in self.history if t > since)]
        return max((b - a for a, b in pairwise(times)), default=0.0)

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


def wait_for_share(progress: Progress, share: float, workers: Workers, timeout: float) -> None:
    """Until `share` of the corpus is accounted for; fails if every worker died meanwhile."""

    def reached() -> bool:
        if workers.running and len(workers.dead()) == len(workers.running):
            raise AssertionError(f"every worker died:\n{workers.logs()[-4000:]}")
        return progress.share() >= share

    wait_until(reached, timeout, step=0.5, what=f"{share:.0%} of the records accounted for")


#: How long nothing may be accounted for, every input committed, before the missing records
#: count as lost: past the transport's 30 s wait for a record fetched and never handled.
GIVE_UP_S = 90


def finish(
    pipeline: Pipeline,
    data: Corpus,
    progress: Progress,
    started: float,
    timeout: float,
    workers: Workers | None = None,
) -> Accounting:
    """Wait until every record is accounted for and the alert stage caught up; count.

    The alert topic is read whole, from its beginning: every alert id the worker ever
    published, whatever worker did. With `workers`, the longest stall is measured from the
    moment the last worker started is ready (named "worker")."""

    group = pipeline.app_id
    inputs = [pipeline.topic("raw"), f"{group}-clean-dedup"]

    def done() -> bool:
        if workers is not None:
            workers.note_ready("worker")
        if progress.share() >= 1.0:
            return True
        # Records still missing, none accounted for in a while, and the stages have
        # committed every input: they will not come (lost). Say so now, not at `timeout`.
        quiet = time.monotonic() - progress.history[-1][0] > GIVE_UP_S
        return quiet and group_lag(pipeline.bootstrap, group, inputs) == 0

    within(done, timeout, step=0.5)  # what is missing then is in the accounting
    caught_up = within(
        lambda: group_lag(pipeline.bootstrap, group, [pipeline.topic("matches")]) == 0, 120, step=2
    )
    progress.classified.drain()
    progress.dead.drain()
    alerts = KeyReader(pipeline.bootstrap, pipeline.topic("alerts"), positions=True)
    try:
        alerts.drain()
        result = account(data, progress.classified.keys, progress.dead.keys, alerts.keys)
        result.repeated_alerts = alerts.repeated()
    finally:
        alerts.close()
    result.unabsorbed = unabsorbed_matches(pipeline)
    result.traces = traces(pipeline, result.lost[:5])
    result.seconds = time.monotonic() - started
    result.alerts_caught_up = caught_up
    if workers is not None and workers.ready_at is not None:
        result.longest_stall = progress.longest_stall(workers.ready_at)
    return result
