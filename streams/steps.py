"""The pipeline's steps over batches: one topology for the worker and `newsradar process`.

Each step is `(state, records) -> Batch(verdicts, changes)`: the records it read, what
became of each (records to send, a dead letter, a drop), and the state keys to write,
each once per batch. The Faust agents only move bytes: they hand a batch of events to a
step, send its outputs, wait for Kafka to take them, write the changes, and count
(streams/agents.py). `newsradar process` runs the same steps over in-memory topics
(streams/pipeline.py), so the two cannot drift apart.

    raw ──clean──► dedup (keyed by dedup key) ──dedup+classify──► clean, classified, matches
    matches (keyed by topic) ──alert──► alerts

Bad input is data: a record that cannot be decoded, that a stage refuses, or whose logic
raises, becomes a verdict with a `Rejected`, and the rest of the batch goes on.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol, TypeVar

from schemas import Alert, CleanArticle, RawArticle, TopicMatch
from schemas.vocabulary import STAGES
from streams.alerting.logic import AlertRules, Step, on_match
from streams.alerting.matches import topic_matches
from streams.alerting.state import Overlay, StateValue
from streams.budget import Budget, Clock
from streams.classification.logic import CompiledTaxonomy, classified_article, score_article
from streams.cleaning import seen
from streams.cleaning.dedup import dedup_key
from streams.cleaning.furniture import LearnedRemoval, OutletFurniture, outlet_key
from streams.cleaning.logic import CleanOptions, Dropped, clean_with, record_gate
from streams.codec import decode
from streams.deadletters import Headers
from streams.rejection import Rejected

#: Header on the dedup topic naming the raw record (partition:offset) a sighting came from.
ORIGIN_HEADER = "newsradar-raw-origin"

# The logical topics a step writes; the agents map them to Kafka topics.
DEDUP, CLEAN, CLASSIFIED, MATCHES, ALERTS = "dedup", "clean", "classified", "matches", "alerts"
# The stages, as metrics and dead letters name them.
CLEAN_STAGE, CLASSIFY_STAGE, ALERT_STAGE = STAGES

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Record:
    """One record as a step reads it: what Kafka (or `newsradar process`) delivered."""

    value: bytes | None
    key: bytes | None = None
    partition: int = 0
    offset: int = 0
    timestamp: float = 0.0  # seconds since the epoch: Kafka's time for the record
    headers: Headers = ()
    topic: str = ""

    @property
    def time(self) -> datetime:
        return datetime.fromtimestamp(self.timestamp, UTC)

    def header(self, name: str) -> bytes | None:
        return next((value for key, value in self.headers if key == name), None)


@dataclass(frozen=True, slots=True)
class Output:
    """A record to send: `topic` is a logical name (DEDUP, CLEAN, ...)."""

    topic: str
    key: bytes
    value: bytes
    partition: int | None = None
    timestamp: float | None = None
    headers: Headers = ()


@dataclass(slots=True)
class Verdict:
    """What became of one record; `facts` are what the agent counts (stage specific)."""

    record: Record
    outputs: list[Output] = field(default_factory=list)
    rejected: Rejected | None = None
    exception_type: str | None = None
    dropped: Dropped | None = None
    facts: Any = None
    stage: str | None = None  # whose verdict, where one step runs two stages' rules

    @property
    def passed(self) -> bool:
        return self.rejected is None and self.dropped is None


@dataclass(slots=True)
class Batch:
    """A step's result: a verdict per record, in order, and the state to write."""

    verdicts: list[Verdict]
    changes: dict[Any, Any] = field(default_factory=dict)

    def outputs(self, topic: str | None = None) -> Iterator[Output]:
        for verdict in self.verdicts:
            yield from (o for o in verdict.outputs if topic is None or o.topic == topic)


def guarded(record: Record, work: Callable[[Record], Verdict]) -> Verdict:
    """The record's verdict; an exception in the logic makes it a dead letter, not a crash."""
    try:
        return work(record)
    except Exception as error:
        rejected = Rejected("internal_error", repr(error)[:500])
        return Verdict(record, rejected=rejected, exception_type=type(error).__name__)


def decoded(model: type[T], record: Record) -> T | Verdict:
    """The record's value as `model`, or the verdict that dead-letters it."""
    value = decode(model, record.value)  # type: ignore[type-var]
    return Verdict(record, rejected=value) if isinstance(value, Rejected) else value


# -- clean: raw -> dedup ------------------------------------------------------------------


class Furniture(Protocol):
    """Where outlets' learned furniture is read from: the clean agent's table, or
    `newsradar process`'s bounded dict (streams/cleaning/furniture.py: Outlets)."""

    def get(self, key: str, /) -> OutletFurniture | None: ...


@dataclass(frozen=True)
class Cleaned:
    """The facts of a cleaned article: it, and what the learned furniture model removed."""

    article: CleanArticle
    learned: tuple[LearnedRemoval, ...] = ()


@dataclass(frozen=True)
class CleanStep:
    """Decode and clean each raw article; pass it on keyed by its dedup key, with the raw
    record's time (the dedup window is measured in it) and where it came from.

    `furniture` maps "partition:outlet" to what the outlet's articles on that raw partition
    taught the furniture model (streams/cleaning/furniture.py): raw is keyed by article id,
    so each partition sees a share of every outlet and learns its own copy, without a hop.
    The batch's changes are the states its articles updated, one per key.
    """

    options: CleanOptions
    clock: Clock  # the per-article time budget's (a fake one in tests)
    learning: bool = True

    def __call__(self, furniture: Furniture, records: Sequence[Record]) -> Batch:
        batch = Batch([])
        for record in records:
            batch.verdicts.append(guarded(record, lambda r: self.one(furniture, batch.changes, r)))
        return batch

    def one(
        self,
        furniture: Furniture,
        changes: dict[str, OutletFurniture],
        record: Record,
    ) -> Verdict:
        budget = Budget.start(self.options.time_budget_seconds, self.clock)
        if (too_big := record_gate(record.value, self.options)) is not None:
            return Verdict(record, rejected=too_big)
        raw = decoded(RawArticle, record)
        if isinstance(raw, Verdict):
            return raw
        key = furniture_key(record.partition, outlet_key(raw.url, raw.source))
        done = clean_with(
            raw,
            ingested=record.time,
            options=self.options,
            budget=budget,
            furniture=changes.get(key) or furniture.get(key),
            learning=self.learning,
        )
        if done.furniture is not None:
            changes[key] = done.furniture
        cleaned = done.result
        if isinstance(cleaned, Rejected):
            return Verdict(record, rejected=cleaned)
        if isinstance(cleaned, Dropped):
            return Verdict(record, dropped=cleaned, facts=raw.id)
        origin = f"{record.partition}:{record.offset}".encode()
        out = Output(
            DEDUP,
            dedup_key(cleaned).encode(),
            cleaned.model_dump_json().encode(),
            timestamp=record.timestamp,
            headers=((ORIGIN_HEADER, origin),),
        )
        return Verdict(record, [out], facts=Cleaned(cleaned, done.learned))


def furniture_key(partition: int, outlet: str) -> str:
    """The furniture table's key: the outlet, on the raw partition that learnt it."""
    return f"{partition}:{outlet}"


# -- dedup and classify: dedup -> clean, classified, matches -------------------------------


@dataclass(frozen=True)
class DedupClassifyStep:
    """Drop an article seen within the window; classify the rest and publish the article,
    its classification and one match per topic it passed (keyed by topic id). The verdict
    says whose rule decided: the clean stage's (a duplicate) or the classify stage's.

    `seen_state` maps "partition:bucket" to a bucket of recent sightings
    (streams/cleaning/seen.py); a bucket belongs to one partition of the dedup topic, so
    its changelog record lives where its sightings arrive.
    """

    taxonomy: Callable[[], CompiledTaxonomy]  # the current one: it may be reloaded
    rules: AlertRules
    window: float
    max_entries: int = 1024

    def __call__(self, seen_state: Mapping[bytes, bytes], records: Sequence[Record]) -> Batch:
        batch = Batch([])
        taxonomy = self.taxonomy()
        for record in records:
            verdict = guarded(record, lambda r: self.one(seen_state, batch.changes, r, taxonomy))
            verdict.stage = verdict.stage or CLEAN_STAGE
            batch.verdicts.append(verdict)
        return batch

    def one(
        self,
        seen_state: Mapping[bytes, bytes],
        changes: dict[bytes, bytes],
        record: Record,
        taxonomy: CompiledTaxonomy,
    ) -> Verdict:
        article = decoded(CleanArticle, record)
        if isinstance(article, Verdict):
            return article
        if (dropped := self._duplicate(seen_state, changes, record)) is not None:
            return Verdict(record, dropped=dropped, facts=article.id)
        verdict = guarded(record, lambda r: self._classified(article, r, taxonomy))
        verdict.stage = CLASSIFY_STAGE
        return verdict

    def _classified(
        self, article: CleanArticle, record: Record, taxonomy: CompiledTaxonomy
    ) -> Verdict:
        scores = score_article(article, taxonomy, passing=True)
        classified = classified_article(article, taxonomy, scores)
        key = article.id.encode()
        matches = topic_matches(article, classified.topics, taxonomy.version, self.rules)
        outputs = [
            Output(CLEAN, key, record.value or b""),
            Output(CLASSIFIED, key, classified.model_dump_json().encode()),
            *(Output(MATCHES, m.topic.id.encode(), m.model_dump_json().encode()) for m in matches),
        ]
        return Verdict(record, outputs, facts=classified)

    @staticmethod
    def bucket_of(record: Record) -> tuple[bytes, seen.Sighting]:
        """Which bucket of the memory the record's dedup key lives in, and its sighting."""
        sighting = seen.sighting((record.key or b"").decode(errors="replace"))
        return f"{record.partition}:{sighting.bucket}".encode(), sighting

    def _duplicate(
        self, seen_state: Mapping[bytes, bytes], changes: dict[bytes, bytes], record: Record
    ) -> Dropped | None:
        bucket_key, sighting = self.bucket_of(record)
        bucket = changes.get(bucket_key, seen_state.get(bucket_key, b""))
        origin = record.header(ORIGIN_HEADER)
        kept, earlier = seen.remember(
            bucket,
            sighting,
            now=record.timestamp,
            window=self.window,
            origin=seen.origin_hash(
                origin.decode(errors="replace")
                if origin
                else f"dedup:{record.partition}:{record.offset}"
            ),
            max_entries=self.max_entries,
        )
        if kept is not bucket:
            changes[bucket_key] = kept
        if earlier is None:
            return None
        when = datetime.fromtimestamp(earlier.last_seen, UTC).isoformat()
        return Dropped("duplicate", f"same canonical URL or text as an article seen {when}")


# -- alert: matches -> alerts ---------------------------------------------------------------


@dataclass(frozen=True)
class Alerted:
    """The facts of a match: what it did to its topic's stories, and the alerts it raised."""

    topic: str
    step: Step


@dataclass(frozen=True)
class AlertStep:
    """Group one partition's matches into stories and surges, in order, over one overlay
    of the state: a batch writes each key it changed once, and reads its own writes."""

    rules: AlertRules

    def __call__(
        self, state: Mapping[str, StateValue], records: Sequence[Record], *, now: datetime
    ) -> Batch:
        tx = Overlay(state)
        verdicts = [guarded(record, lambda r: self.one(tx, r, now)) for record in records]
        return Batch(verdicts, tx.changes)

    def one(self, tx: Overlay, record: Record, now: datetime) -> Verdict:
        match = decoded(TopicMatch, record)
        if isinstance(match, Verdict):
            return match
        step = on_match(tx, match, self.rules, now=now, position=record.offset)
        tx.absorb(step.changes)
        outputs = [_alert_output(alert, record.partition) for alert in step.alerts]
        verdict = Verdict(record, outputs, facts=Alerted(match.topic.id, step))
        if step.outcome in ("duplicate", "redelivered"):
            verdict.dropped = Dropped("duplicate", step.outcome)
        return verdict


def _alert_output(alert: Alert, partition: int) -> Output:
    """Keyed by its id, but on the partition its topic's matches come from (the alert topic
    has the pipeline's partition count): a topic's alerts stay in order, so a sink never
    delivers a story's older update after a newer one."""
    return Output(ALERTS, alert.id.encode(), alert.model_dump_json().encode(), partition=partition)
