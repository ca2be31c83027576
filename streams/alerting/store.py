"""The alert state as the rules read it: what is kept, and what is derived from it.

The stories, each topic's record, the ring of absorbed articles and the alert marks are
kept: in a Faust table (changelog-backed) in the worker, in a dict in `newsradar process`.
The LSH index buckets and the time slices that file stories for expiry can be derived from
the stories, so they live only in memory, rebuilt from the kept stories the first time a
key is read after `forget()` (a partition assignment): a match then costs two or three
state writes (its story, its topic, a ring chunk) rather than one per LSH band.

After a rebuild, the index is the one the stories imply: each bucket lists its newest
stories (by first sighting), and each story is filed in the time slice of its last
sighting. A worker that never restarted may have filed a story in an earlier slice, which
only moves the moment its expiry is checked, never whether a live story is kept.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field

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
_DERIVED = ("b", "g")


@dataclass
class _Index:
    """One topic's derived keys: LSH buckets and time slices, by their state key."""

    buckets: dict[str, tuple[str, ...]] = field(default_factory=dict)
    slices: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def generations(self) -> tuple[int, ...]:
        return tuple(sorted(int(key.rsplit("|", 1)[1]) for key, v in self.slices.items() if v))

    def live(self) -> int:
        return sum(len(v) for v in self.slices.values())


class AlertStore(Mapping[str, StateValue]):
    """Reads kept keys from `kept` and derived ones from memory; `apply` splits a batch's
    changes the same way, handing the kept ones to a writer."""

    def __init__(self, kept: Mapping[str, StateValue], rules: StoryRules) -> None:
        self.kept, self.rules = kept, rules
        self._index: dict[str, _Index] | None = None

    def forget(self) -> None:
        """Drop what is derived: the kept state may have changed hands (a rebalance)."""
        self._index = None

    def get(self, key: str, default: StateValue | None = None) -> StateValue | None:  # type: ignore[override]
        kind = key[:1]
        if kind in _DERIVED:
            index = self._topic(key[2 : key.index("|", 2)])
            found = (index.buckets if kind == "b" else index.slices).get(key)
            return default if found is None else found
        value = self.kept.get(key, default)
        if kind == "t" and isinstance(value, TopicState):
            index = self._topic(key[2:])
            return value.model_copy(
                update={"generations": index.generations(), "live_stories": index.live()}
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
        for key, value in changes.items():
            kind = key[:1]
            if kind in _DERIVED:
                index = self._topic(key[2 : key.index("|", 2)])
                target = index.buckets if kind == "b" else index.slices
                if value is None:
                    target.pop(key, None)
                else:
                    target[key] = ids(value)
            elif kind == "t" and isinstance(value, TopicState):
                write(key, value.model_copy(update={"generations": ()}))
            else:
                write(key, value)

    def _topic(self, topic: str) -> _Index:
        if self._index is None:
            self._index = rebuild(self.kept, self.rules)
        index = self._index.get(topic)
        if index is None:
            index = self._index[topic] = _Index()
        return index


def rebuild(kept: Mapping[str, StateValue], rules: StoryRules) -> dict[str, _Index]:
    """Every topic's index as its kept stories imply it."""
    stories = sorted(
        (v for k, v in kept.items() if k.startswith("s|") and isinstance(v, Story)),
        key=lambda s: (s.first_seen, s.id),
    )
    indexes: dict[str, _Index] = {}
    for story in stories:  # oldest first: each bucket ends with its newest stories first
        index = indexes.setdefault(story.topic, _Index())
        for band in story.bands:
            key = bucket_key(story.topic, band)
            index.buckets[key] = (story.id, *index.buckets.get(key, ()))[:BUCKET_SIZE]
        generation = int(story.last_seen.timestamp()) // rules.generation_seconds
        key = generation_key(story.topic, generation)
        index.slices[key] = (*index.slices.get(key, ()), story.id)
    return indexes
