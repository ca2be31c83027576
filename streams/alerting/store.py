"""The alert state as the rules read it: what is kept, and what is derived from it.

The stories, each topic's record, the ring of absorbed articles and the alert marks are
kept: in a Faust table (changelog-backed) in the worker, in a dict in `newsradar process`.
The LSH index buckets and the time slices that file stories for expiry can be derived from
the stories, so they live only in memory, rebuilt from the kept stories the first time a
key is read after `forget()` (a partition assignment): a match then costs two or three
state writes (its story, its topic, a ring chunk) rather than one per LSH band.

After a rebuild, the index is the one the stories imply: each bucket lists its newest
stories (by first sighting), and each story is filed in the time slice of its last
sighting. A worker that never restarted may have filed a story in an earlier slice: that
moves the moment its expiry is checked, and, for a topic past its story bound, which story
goes first. So only an assignment rebuilds; dropping deleted stories' entries (compaction)
keeps everything else as it is, and the batches a worker happens to take never change what
it alerts (tests/unit/test_alerting.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field

from streams.alerting.similarity import BANDS
from streams.alerting.state import (
    StateValue,
    Story,
    TopicState,
    bucket_key,
    generation_key,
    ids,
)
from streams.alerting.stories import BUCKET_SIZE, StoryRules

Write = Callable[[str, StateValue | None], None]
#: The index is rebuilt when it holds this many times the buckets its live stories need
#: (plus slack for young topics): deleted stories leave their entries behind.
COMPACT_FACTOR, COMPACT_SLACK = 3, 64


@dataclass
class _Index:
    """The derived keys of every topic, by their state key (each key names its topic)."""

    buckets: dict[str, tuple[str, ...]] = field(default_factory=dict)
    slices: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def generations(self, topic: str) -> tuple[int, ...]:
        prefix = f"g|{topic}|"
        found = (
            int(k[len(prefix) :]) for k, v in self.slices.items() if v and k.startswith(prefix)
        )
        return tuple(sorted(found))

    def live(self, topic: str | None = None) -> int:
        prefix = f"g|{topic}|" if topic is not None else "g|"
        return sum(len(v) for k, v in self.slices.items() if k.startswith(prefix))


class AlertStore(Mapping[str, StateValue]):
    """Reads kept keys from `kept` and derived ones from memory; `apply` splits a batch's
    changes the same way, handing the kept ones to a writer."""

    def __init__(self, kept: Mapping[str, StateValue], rules: StoryRules) -> None:
        self.kept, self.rules = kept, rules
        self._derived: _Index | None = None
        self._compact_above = 0
        # The stories deleted since the index was last rebuilt or compacted, by topic, with
        # the buckets their bands put them in: what `_compact` drops. Kept as they are
        # deleted, so compacting visits only those buckets, never the whole index; a story
        # written again (founded anew) is live again.
        self._deleted: dict[str, dict[str, tuple[str, ...]]] = {}

    def forget(self) -> None:
        """Drop what is derived: the kept state may have changed hands (a rebalance)."""
        self._derived = None

    @property
    def _index(self) -> _Index:
        if self._derived is None:
            self._derived = rebuild(self.kept, self.rules)
            self._deleted = {}
            self._compact_above = self._bound()
        return self._derived

    def get(self, key: str, default: StateValue | None = None) -> StateValue | None:  # type: ignore[override]
        kind = key[:1]
        if kind == "b":
            return self._index.buckets.get(key, default)
        if kind == "g":
            return self._index.slices.get(key, default)
        value = self.kept.get(key, default)
        if kind == "t" and isinstance(value, TopicState):
            index, topic = self._index, key[2:]
            return value.model_copy(
                update={"generations": index.generations(topic), "live_stories": index.live(topic)}
            )
        return value

    def __getitem__(self, key: str) -> StateValue:
        value = self.get(key)
        if value is None:
            raise KeyError(key)
        return value

    def __iter__(self) -> Iterator[str]:
        return iter(self.kept)

    def __len__(self) -> int:
        return len(self.kept)

    def apply(self, changes: Mapping[str, StateValue | None], write: Write) -> None:
        """Write a batch's changes in order: kept keys through `write`, derived in memory."""
        index = self._index
        unknown: dict[str, set[str]] = {}  # stories deleted in the batch that founded them
        written: list[tuple[str, tuple[str, ...]]] = []  # the batch's bucket writes
        for key, value in changes.items():
            kind = key[:1]
            if kind == "b" or kind == "g":
                target = index.buckets if kind == "b" else index.slices
                if value is None:
                    target.pop(key, None)
                else:
                    target[key] = members = ids(value)
                    if kind == "b":
                        written.append((key, members))
            elif kind == "t" and isinstance(value, TopicState):
                write(key, value.model_copy(update={"generations": ()}))
            else:
                if kind == "s":
                    self._note(key, value, unknown)
                write(key, value)
        if unknown:
            self._note_written_buckets(written, unknown)
        if len(index.buckets) > self._compact_above:
            self._compact()

    def _compact(self) -> None:
        """Drop deleted stories' entries (left in place by `stories.delete`) once they make
        up most of the index: memory follows the live stories. Only those entries go, the
        rest keeps its order and the slices stay as filed, so when a compaction happens
        (after which batch) never changes which story a match joins or which is evicted.
        A story is in the buckets of its own bands only (`stories.index`, `rebuild`), so
        only those are visited, never the whole index."""
        buckets = self._index.buckets
        if len(buckets) > self._bound():
            for gone in self._deleted.values():
                for sid, keys in gone.items():
                    for key in keys:
                        members = buckets.get(key)
                        if members is None or sid not in members:
                            continue
                        rest = tuple(m for m in members if m != sid)
                        if rest:
                            buckets[key] = rest
                        else:
                            del buckets[key]
            self._deleted = {}
        self._compact_above = self._bound()

    def _note(self, key: str, value: StateValue | None, unknown: dict[str, set[str]]) -> None:
        """Track a story written or deleted (`s|TOPIC|STORY`) for the next compaction: a
        deleted one with the buckets of its bands, from its record before the delete lands,
        or, for one the same batch founded (no record yet), in `unknown`."""
        _, topic, sid = key.split("|", 2)
        if value is None:
            old = self.kept.get(key)
            if isinstance(old, Story):
                keys = tuple(bucket_key(topic, band) for band in old.bands)
            else:
                keys = ()
                unknown.setdefault(topic, set()).add(sid)
            self._deleted.setdefault(topic, {})[sid] = keys
        elif topic in self._deleted:
            self._deleted[topic].pop(sid, None)

    def _note_written_buckets(
        self, written: list[tuple[str, tuple[str, ...]]], unknown: Mapping[str, set[str]]
    ) -> None:
        """A story founded and deleted in one batch is indexed in buckets that batch wrote:
        those of them listing it are where it is."""
        for key, members in written:
            topic = key.split("|", 2)[1]
            sids = unknown.get(topic)
            if sids:
                deleted = self._deleted[topic]
                for sid in sids.intersection(members):
                    if sid in deleted:
                        deleted[sid] = (*deleted[sid], key)

    def _bound(self) -> int:
        index = self._derived or _Index()
        topics = {k.split("|", 2)[1] for k in index.slices}
        return COMPACT_FACTOR * BANDS * (index.live() + COMPACT_SLACK * max(1, len(topics)))


def rebuild(kept: Mapping[str, StateValue], rules: StoryRules) -> _Index:
    """Every topic's index as its kept stories imply it."""
    stories = sorted(
        (v for k, v in kept.items() if k.startswith("s|") and isinstance(v, Story)),
        key=lambda s: (s.first_seen, s.id),
    )
    index = _Index()
    for story in stories:  # oldest first: each bucket ends with its newest stories first
        for band in story.bands:
            key = bucket_key(story.topic, band)
            index.buckets[key] = (story.id, *index.buckets.get(key, ()))[:BUCKET_SIZE]
        generation = int(story.last_seen.timestamp()) // rules.generation_seconds
        key = generation_key(story.topic, generation)
        index.slices[key] = (*index.slices.get(key, ()), story.id)
    return index
