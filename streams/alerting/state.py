"""The alert stage's state: records, the key scheme, and a read-through overlay. Pure.

State is many small keys rather than one value per topic, because every value set is a
changelog record: a topic's stories, index buckets and counters are written separately,
so an article costs a few small writes however many stories a topic holds. Every key
starts with the topic id, and the agent only touches a topic's keys while processing an
event of that topic (keyed by topic id), so all of them live in that event's partition.

    t|TOPIC                  TopicState   position, clocks, surge windows, generations, digest
    s|TOPIC|STORY            Story        one story: signature, articles, outlets, alert marks
    r|TOPIC|CHUNK            bytes        digests of the articles the topic absorbed lately
    m|PARTITION              AlertMark    where that alert partition's unrecorded tail starts
    b|TOPIC|BAND:HASH        Ids          LSH index: story ids whose signature has this band
    g|TOPIC|GENERATION       Ids          story ids filed in that time slice (for expiry)

The last two are derived: the worker keeps them in memory and rebuilds them from the
stories when a partition is assigned (streams/alerting/store.py), so a match writes its
story, the topic's record and one ring chunk, never an index bucket. The mark is the one
key not led by a topic: it is per partition of the match topic (and of the alert topic,
which the agent writes partition for partition), written while processing that partition's
matches, so it too lives in that partition.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol, Self

from pydantic import BaseModel, ConfigDict, Field

from schemas.alerts import ArticleRef
from schemas.articles import Evidence


class _State(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Self:
        """pydantic's shallow copy with changed fields, in one step: a match copies its topic
        and story records half a dozen times, and pydantic's general path (`__copy__`, three
        `copy.copy` calls, then the update) cost several times this. These records have no
        extra or private attributes, so the result is the same (fields in the same order)."""
        if deep or not update:
            return super().model_copy(update=update, deep=deep)
        copied = self.__class__.__new__(self.__class__)
        object.__setattr__(copied, "__dict__", {**self.__dict__, **update})
        object.__setattr__(copied, "__pydantic_extra__", None)
        object.__setattr__(
            copied, "__pydantic_fields_set__", self.__pydantic_fields_set__ | update.keys()
        )
        object.__setattr__(copied, "__pydantic_private__", None)
        return copied


class SurgeState(_State):
    """Per-topic counts in hop-sized slots of published time, and the EWMA baseline."""

    slots: dict[int, int] = Field(default_factory=dict)
    last_slot: int | None = None
    baseline: float = 0.0
    windows_seen: int = 0
    surging: bool = False
    last_surge_slot: int | None = None
    watermark: datetime | None = None


class TopicState(_State):
    """A topic's small, often-written state; written last, so its `position` is a commit mark."""

    position: int | None = None
    clock: datetime | None = None
    surge: SurgeState = SurgeState()
    generations: tuple[int, ...] = ()
    live_stories: int = 0
    digest_since: datetime | None = None
    digest: tuple[str, ...] = ()
    absorbed: int = 0  # articles recorded in the ring (streams/alerting/repeats.py)


class Story(_State):
    """A cluster of near-duplicate articles on one topic."""

    id: str
    topic: str
    topic_name: str
    signature: tuple[int, ...]
    bands: tuple[str, ...]
    first_seen: datetime
    last_seen: datetime
    title: str
    summary: str
    score: float
    base_severity: str
    evidence: tuple[Evidence, ...]
    taxonomy_version: str
    articles: tuple[ArticleRef, ...]
    article_count: int = 1
    outlets: tuple[str, ...] = ()
    escalations: tuple[str, ...] = ()
    alerted_at: datetime | None = None
    alerts: int = 0


class AlertMark(_State):
    """The offset after the last alert the state has recorded, on one alert partition.

    Written after the changes of the match that raised that alert, so everything on the
    partition from here on was published by matches the state may not have absorbed: the
    alerts a worker killed between "sent" and "state written" leaves behind.
    """

    next_offset: int


#: An index bucket's or a time slice's story ids: a plain tuple, as there are many of them
#: (a pydantic record each cost ~10x the memory and time); the key says which it is.
Ids = tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Chunk:
    """A ring chunk: 8-byte article digests, back to back. Not bare `bytes`: Faust sends
    bytes values to a changelog as they are, past the codec that reads them back."""

    digests: bytes = b""
    #: A full chunk's digests as a set, made by its first search (streams/alerting/repeats.py)
    #: and dropped with it: the memory follows the ring, at most its full chunks.
    members: frozenset[bytes] | None = field(default=None, compare=False, repr=False)


StateValue = TopicState | Story | AlertMark | Ids | Chunk
_TYPES: dict[str, type[TopicState] | type[Story] | type[AlertMark]] = {
    "topic": TopicState,
    "story": Story,
    "mark": AlertMark,
}
_NAMES = {cls: name for name, cls in _TYPES.items()}


def topic_key(topic: str) -> str:
    return f"t|{topic}"


def story_key(topic: str, story_id: str) -> str:
    return f"s|{topic}|{story_id}"


def bucket_key(topic: str, band: str) -> str:
    return f"b|{topic}|{band}"


def generation_key(topic: str, generation: int) -> str:
    return f"g|{topic}|{generation}"


def mark_key(partition: int) -> str:
    return f"m|{partition}"


def ring_key(topic: str, chunk: int) -> str:
    return f"r|{topic}|{chunk}"


#: The first byte of a ring chunk in the changelog; JSON never starts with it.
_CHUNK_TAG = b"R"


def encode(value: StateValue) -> bytes:
    """JSON with a type tag: how a value travels in the changelog (a chunk as its bytes)."""
    if isinstance(value, Chunk):
        return _CHUNK_TAG + value.digests
    if isinstance(value, tuple):
        tagged: dict[str, object] = {"type": "ids", "value": list(value)}
        return json.dumps(tagged, separators=(",", ":")).encode()
    # The record's JSON as pydantic writes it, in one pass: what model_dump(mode="json")
    # and json.dumps made in two, the same values when read back.
    return b'{"type":"%s","value":%s}' % (
        _NAMES[type(value)].encode(),
        value.model_dump_json().encode(),
    )


def decode(data: bytes) -> StateValue:
    if data[:1] == _CHUNK_TAG:
        return Chunk(bytes(data[1:]))
    tagged = json.loads(data)
    if tagged["type"] == "ids":
        return tuple(tagged["value"])
    return _TYPES[tagged["type"]].model_validate(tagged["value"])


def ids(value: StateValue | None) -> Ids:
    """The story ids of a bucket or slice; none for a missing key."""
    return value if isinstance(value, tuple) else ()


class Reader(Protocol):
    """What the rules read the state through: a dict, a Faust table, a store, an overlay."""

    def get(self, key: str, /) -> StateValue | None: ...


class Overlay:
    """Reads through to the state; collects the writes (None = delete) in order.

    The rules read and write through this, so a step is `(state, event) -> (changes, output)`
    and the state itself is never mutated: the caller applies the changes.
    """

    def __init__(self, base: Reader) -> None:
        # An overlay on an overlay reads its parent's writes directly, then the state: one
        # lookup less per read, and a match reads the state tens of times.
        self.under: tuple[dict[str, StateValue | None], ...] = ()
        if isinstance(base, Overlay):
            self.under, base = (base.changes, *base.under), base.base
        self.base: Reader = base
        self.changes: dict[str, StateValue | None] = {}

    def get(self, key: str) -> StateValue | None:
        value = self.changes.get(key, _UNSET)
        if value is not _UNSET:
            return value  # type: ignore[return-value]
        for layer in self.under:
            value = layer.get(key, _UNSET)
            if value is not _UNSET:
                return value  # type: ignore[return-value]
        return self.base.get(key)

    def put(self, key: str, value: StateValue | None) -> None:
        self.changes.pop(key, None)  # re-inserted at the end: the order of the writes
        self.changes[key] = value

    def absorb(self, changes: Mapping[str, StateValue | None]) -> None:
        """Another overlay's writes, made on top of this one, now this one's, in order."""
        for key in changes:
            self.changes.pop(key, None)
        self.changes.update(changes)


_UNSET = object()


def apply_changes(
    store: MutableMapping[str, StateValue], changes: Mapping[str, StateValue | None]
) -> None:
    """Write a step's changes, in order, to a dict or a Faust table."""
    for key, value in changes.items():
        if value is None:
            if key in store:
                del store[key]
        else:
            store[key] = value
