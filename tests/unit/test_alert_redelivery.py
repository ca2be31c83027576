"""A match delivered twice at two offsets (an upstream stage repeated it after a crash, a
rebalance or a broker restart) must not raise its alert twice, however late the article."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from streams.alerting import state as st
from streams.alerting.logic import AlertRules, on_match
from streams.alerting.stories import StoryRules
from tests.unit.alert_fixtures import T0, match, minutes, unrelated_story

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
RULES = AlertRules(story=StoryRules(window_seconds=3600))


def _feed(store: dict[str, st.StateValue], position: int, *matches):  # type: ignore[no-untyped-def]
    outcomes, alerts = [], []
    for offset, m in enumerate(matches, start=position):
        step = on_match(store, m, RULES, now=NOW, position=offset)
        st.apply_changes(store, step.changes)
        outcomes.append(step.outcome)
        alerts += [a.id for a in step.alerts]
    return outcomes, alerts


def test_an_article_older_than_the_window_repeated_at_a_later_offset_alerts_once():
    """Its story is no longer live when the repeat comes, but the article founded it."""
    store: dict[str, st.StateValue] = {}
    _feed(store, 1, match("fresh", unrelated_story(1), published=T0 + timedelta(hours=5)))
    old = match("old", unrelated_story(2), published=T0)  # 5 hours behind: past the window
    outcomes, alerts = _feed(store, 2, old, old)
    assert outcomes == ["new", "duplicate"]
    assert len(alerts) == 1


def test_a_live_story_repeated_is_still_a_duplicate():
    store: dict[str, st.StateValue] = {}
    again = match("again", unrelated_story(3), published=T0 + minutes(1))
    outcomes, alerts = _feed(store, 1, again, again)
    assert outcomes == ["new", "duplicate"] and len(alerts) == 1


def test_a_repeat_after_a_crash_that_kept_the_ring_but_not_the_topic_record_alerts_once(
    monkeypatch,  # type: ignore[no-untyped-def]
):
    """A worker killed while a batch's state goes out keeps a prefix of its writes: the
    ring chunk and the stories, not the topic's record (written last), whose count of
    absorbed articles then lags the ring. The redelivered matches are found by their
    stories, and the ring's next chunk, started afresh by that lagging count, dropped
    the articles it already held: a later repeat of one, its story gone, founded it again
    and raised its alert id a second time (the fault tests' unabsorbed matches)."""
    from streams.alerting import repeats

    monkeypatch.setattr(repeats, "CHUNK", 2)  # a chunk boundary within a few matches
    articles = [match(f"a{i}", unrelated_story(i), published=T0 + minutes(i)) for i in range(6)]
    store: dict[str, st.StateValue] = {}
    _, first_alerts = _feed(store, 1, *articles[:1])
    batch: dict[str, st.StateValue] = dict(store)
    _, batch_alerts = _feed(batch, 2, *articles[1:4])  # a1..a3: chunk 1 starts with a2
    topic = st.topic_key("russia-ukraine")
    store.update({k: v for k, v in batch.items() if k != topic})  # the crash: no topic record
    _feed(store, 2, *articles[1:4])  # redelivered: every one a duplicate
    _feed(store, 5, *articles[4:6])  # and on: a5 starts the chunk after the lagging count
    for key in [k for k in store if k.startswith("s|")]:  # every story expires meanwhile
        del store[key]
    outcomes, alerts = _feed(store, 7, articles[2])  # an upstream stage repeats a2
    assert outcomes == ["duplicate"] and alerts == []
    assert len(set(first_alerts + batch_alerts)) == 4


def test_the_ring_finds_a_digest_only_where_one_starts_in_a_full_chunk_as_in_a_filling_one():
    """A full chunk is searched as a set of its digests, a filling one byte by byte: the
    same answers, a digest straddling two never counts."""
    from streams.alerting import repeats

    ids = [f"a{i}" for i in range(repeats.CHUNK)]
    full = st.Chunk(b"".join(repeats.digest(i) for i in ids))
    filling = st.Chunk(full.digests[: -repeats.DIGEST_BYTES])
    straddling = full.digests[4:12]  # the end of the first digest, the start of the second
    for chunk, last_held in ((full, True), (filling, False)):
        assert repeats._holds(chunk, repeats.digest("a0"))
        assert repeats._holds(chunk, repeats.digest(ids[-1])) is last_held
        assert not repeats._holds(chunk, repeats.digest("never absorbed"))
        assert not repeats._holds(chunk, straddling)
    assert repeats._holds(full, repeats.digest("a1"))  # asked again: from the cached set


def test_a_full_chunks_set_goes_with_the_chunk_so_memory_follows_the_ring():
    """The ring rotates: a chunk replaced in the state must take its search set with it.
    (A cache of sets by chunk, kept apart, held up to 512 of them, ~40 MiB, long after
    their chunks were gone.)"""
    import gc

    from streams.alerting import repeats

    def sets() -> int:
        gc.collect()
        return sum(
            1 for o in gc.get_objects() if isinstance(o, frozenset) and len(o) == repeats.CHUNK
        )

    before = sets()
    for n in range(20):  # a ring's worth and more, each chunk searched and then dropped
        chunk = st.Chunk(b"".join(repeats.digest(f"{n}:{i}") for i in range(repeats.CHUNK)))
        assert repeats._holds(chunk, repeats.digest(f"{n}:7"))
        assert chunk.members is not None and len(chunk.members) == repeats.CHUNK
        assert chunk == st.Chunk(chunk.digests)  # the set is a cache, not the value
    del chunk
    assert sets() == before
