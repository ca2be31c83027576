"""The alert stage's pure rules: stories, cooldowns, digests, severity, ids, state."""

from __future__ import annotations

import functools
import itertools
from datetime import UTC, datetime, timedelta

import pytest

from schemas import Alert
from streams.alerting import state as st
from streams.alerting import store as store_module
from streams.alerting import stories
from streams.alerting.configure import alert_rules
from streams.alerting.logic import AlertRules, on_match
from streams.alerting.records import alert_id, summarize
from streams.alerting.similarity import band_hashes, signature, similarity
from streams.alerting.store import AlertStore
from streams.alerting.stories import StoryRules
from streams.settings import AlertingSettings
from streams.steps import AlertStep, Record
from tests.unit.alert_fixtures import (
    T0,
    WIRE_STORY,
    copy_of_wire_story,
    match,
    minutes,
    unrelated_story,
)

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


class Run:
    """Feeds matches through `on_match` with a dict as the state, like `newsradar process`."""

    def __init__(self, rules: AlertRules | None = None) -> None:
        self.rules = rules or AlertRules()
        self.store: dict[str, st.StateValue] = {}
        self.alerts: list[Alert] = []
        self.position = 0

    def feed(self, *matches, position: int | None = None):  # type: ignore[no-untyped-def]
        steps = []
        for m in matches:
            self.position += 1
            step = on_match(self.store, m, self.rules, now=NOW, position=position or self.position)
            st.apply_changes(self.store, step.changes)
            self.alerts.extend(step.alerts)
            steps.append(step)
        return steps

    def kinds(self) -> list[str]:
        return [a.kind for a in self.alerts]


def _copies(count: int, spacing_minutes: float = 2.0):  # type: ignore[no-untyped-def]
    out = []
    for i in range(count):
        source, title, text = copy_of_wire_story(i)
        out.append(
            match(
                f"copy{i}",
                text,
                source=source,
                title=title,
                published=T0 + minutes(spacing_minutes * i),
            )
        )
    return out


# --- near-duplicates -------------------------------------------------------------------


@pytest.mark.parametrize("index", range(1, 10))
def test_each_outlets_copy_is_near_the_first(index):
    first = signature(copy_of_wire_story(0)[2])
    assert similarity(first, signature(copy_of_wire_story(index)[2])) >= 0.5


@pytest.mark.parametrize("index", range(5))
def test_other_stories_on_the_topic_are_far(index):
    assert similarity(signature(WIRE_STORY), signature(unrelated_story(index))) < 0.2


def test_empty_text_has_no_signature_and_matches_nothing():
    assert signature("  ...  ") == ()
    assert similarity((), signature(WIRE_STORY)) == 0.0


@pytest.mark.parametrize(
    ("text", "first_bins", "first_bands"),
    [
        (
            "Kyiv’s mayor said — again — that «the bridge» held; ÉTÉ été Київ…",
            (558152475, 423934747, 289717019, 155499291),
            ["0:6a13cdce", "1:95c88d03"],
        ),
        (
            "Plain ASCII words, three by three: the wire story of the day.",
            (42648200, 1255529280, 1121311552, 987093824),
            ["0:f95375ad", "1:f02d1795"],
        ),
        (  # a word over 64 bytes: hashed byte by byte, its last bytes with one weight
            "A " + "x" * 70 + " word, then more words of the day.",
            (1254039712, 1119821984, 985604256, 851386528),
            ["0:4ac1cd75", "1:82c1cd75"],
        ),
        (  # over 64 KB: hashed byte by byte too
            "Plain words again, day " * 4000,
            (731152230, 596934502, 462716774, 328499046),
            ["0:04b371fb", "1:bcb371fb"],
        ),
    ],
)
def test_signatures_stay_what_the_changelog_holds(text, first_bins, first_bands):
    # Stories keep signatures in the changelog: a faster way to compute one must not change it.
    sig = signature(text)
    assert sig[:4] == first_bins
    assert band_hashes(sig)[:2] == first_bands


@pytest.mark.parametrize(
    "text",
    [
        "Kyiv’s mayor said — again — that «the bridge» held; ÉTÉ été Київ…",
        "Air defences shot down 23 drones overnight, the governor said on Telegram.",
        "Ceasefire talks resume in Istanbul.\n\nDelegations met for three hours.",
    ],
)
def test_the_prefix_sums_hash_every_word_as_the_byte_by_byte_way(text, monkeypatch):
    from streams.alerting import similarity

    fast = similarity._word_hashes(text)
    monkeypatch.setattr(similarity, "_PREFIX_BYTES", 0)  # every text the byte-by-byte way
    assert len(fast) and (similarity._word_hashes(text) == fast).all()


# --- one alert per story -----------------------------------------------------------------


def test_ten_copies_within_the_cooldown_give_one_alert_and_one_story():
    run = Run()
    steps = run.feed(*_copies(10, spacing_minutes=2))
    assert run.kinds() == ["story"]
    assert [s.outcome for s in steps] == ["new"] + ["joined"] * 9
    story = next(v for v in run.store.values() if isinstance(v, st.Story))
    assert story.article_count == 10 and len(story.outlets) == 10
    assert [a.id for a in story.articles] == [f"copy{i}" for i in range(10)]


def test_later_copies_update_the_story_once_per_cooldown():
    run = Run(AlertRules(story=StoryRules(cooldown_seconds=1800)))
    run.feed(*_copies(10, spacing_minutes=8))  # copies at 0, 8, ..., 72 minutes
    assert run.kinds() == ["story", "story-update", "story-update"]
    first, *updates = run.alerts
    assert {a.story_id for a in run.alerts} == {first.story_id}
    assert [u.article_count for u in updates] == [5, 9]  # at 32 and 64 minutes
    assert updates[-1].articles[0].id == "copy0"  # the representative stays the first
    assert len({a.id for a in run.alerts}) == 3


def test_the_story_alert_carries_what_a_reader_needs():
    run = Run()
    run.feed(*_copies(1))
    (alert,) = run.alerts
    assert (alert.kind, alert.topic, alert.severity, alert.article_id) == (
        "story",
        "russia-ukraine",
        "high",
        "copy0",
    )
    assert alert.summary.startswith("By our wire desk. Officials in Kyiv said on Monday")
    assert [(a.id, a.url) for a in alert.articles] == [("copy0", "https://example.org/copy0")]
    assert alert.outlets == ["Daily Ledger"] and alert.evidence[0].matched == "Kyiv"
    assert (alert.published, alert.alerted, alert.taxonomy_version) == (T0, NOW, "test-1")


def test_the_same_input_gives_the_same_alert_ids():
    first, again = Run(), Run()
    first.feed(*_copies(10, spacing_minutes=8))
    again.feed(*_copies(10, spacing_minutes=8))
    assert [a.id for a in first.alerts] == [a.id for a in again.alerts]


def test_a_story_alert_id_is_the_skeletons_id_of_its_first_article():
    run = Run()
    run.feed(*_copies(1))
    assert run.alerts[0].id == alert_id("russia-ukraine", "copy0", "story")


def test_the_same_article_again_is_a_duplicate_not_news():
    run = Run()
    (copy,) = _copies(1)
    steps = run.feed(copy, copy)
    assert [s.outcome for s in steps] == ["new", "duplicate"]
    assert run.kinds() == ["story"]


def test_a_redelivered_match_changes_nothing():
    """After a crash the worker sees matches again whose effects the state already has."""
    run = Run()
    copies = _copies(3)
    run.feed(*copies)
    before = dict(run.store)
    steps = run.feed(copies[1], position=2)
    assert steps[0].outcome == "redelivered" and steps[0].changes == {}
    assert run.store == before and run.kinds() == ["story"]


def test_a_match_read_again_after_later_ones_were_handled_is_absorbed():
    """The transport reads a partition again from a record it fetched and never handled,
    once the records behind it were handled (streams/consumer.py: PATIENCE_SECONDS): the
    topic's position is past that match, yet it was never absorbed. Taken for a redelivery
    it was lost: its story and alert never came (the fault tests' unabsorbed matches)."""
    run = Run()
    early, late = (match(f"u{i}", unrelated_story(i), title=f"Report {i}") for i in (1, 2))
    run.feed(late, position=12)  # offset 11 was fetched and thrown away
    (step,) = run.feed(early, position=11)  # ... and read again
    assert step.outcome == "new"
    assert run.kinds() == ["story", "story"]
    (again,) = run.feed(early, position=11)  # a true redelivery still changes nothing
    assert again.outcome == "redelivered" and again.changes == {}
    assert run.store[st.topic_key("russia-ukraine")].position == 12  # never moves back


def test_different_stories_on_a_topic_each_alert():
    run = Run()
    run.feed(*[match(f"u{i}", unrelated_story(i), title=f"Report {i}") for i in range(6)])
    assert run.kinds() == ["story"] * 6
    assert len({a.story_id for a in run.alerts}) == 6


def test_the_same_text_on_another_topic_is_another_story():
    run = Run()
    text = copy_of_wire_story(0)[2]
    run.feed(match("a1", text), match("a1", text, topic="middle-east"))
    assert [a.topic for a in run.alerts] == ["russia-ukraine", "middle-east"]


# --- memory stays bounded ----------------------------------------------------------------


def test_stories_quiet_for_the_window_are_forgotten():
    rules = AlertRules(story=StoryRules(window_seconds=3600))
    run = Run(rules)
    run.feed(*[match(f"u{i}", unrelated_story(i), published=T0 + minutes(i)) for i in range(5)])
    assert _stories(run) == 5
    later = T0 + timedelta(hours=3)
    run.feed(match("late", unrelated_story(99), published=later))
    assert _stories(run) == 1
    assert all(k.split("|")[0] in "tsbgr" for k in run.store)
    # An old story's copy finds nothing: its index entries may linger, its story is gone.
    run.feed(match("copy-of-u0", unrelated_story(0), published=later))
    assert _stories(run) == 2 and run.kinds()[-1] == "story"


def _keep(kept: dict[str, st.StateValue], key: str, value: st.StateValue | None) -> None:
    if value is None:
        kept.pop(key, None)
    else:
        kept[key] = value


def test_the_derived_index_is_rebuilt_once_deleted_stories_outgrow_the_live_ones():
    """Evictions leave index entries behind; the store rebuilds the topic's index from its
    kept stories, so memory follows the live stories, not all there ever were."""
    rules = AlertRules(story=StoryRules(max_stories=5))
    kept: dict[str, st.StateValue] = {}
    store = AlertStore(kept, rules.story)
    step = AlertStep(rules)
    matches = [match(f"m{i}", unrelated_story(i), published=T0 + minutes(i)) for i in range(400)]
    for lo in range(0, 400, 20):
        batch = [
            Record(m.model_dump_json().encode(), partition=0, offset=lo + i)
            for i, m in enumerate(matches[lo : lo + 20])
        ]
        store.apply(step(store, batch, now=NOW).changes, lambda k, v: _keep(kept, k, v))
    index = store._index
    assert index.live("russia-ukraine") == 5 == sum(isinstance(v, st.Story) for v in kept.values())
    assert 400 * 21 > 3 * 21 * (5 + 64)  # without the rebuild there would be more
    assert len(index.buckets) <= 3 * 21 * (5 + 64)


def test_compaction_drops_the_stories_deleted_and_not_founded_again(monkeypatch):
    """Compaction goes by the deletions the store saw: a story founded again under its id
    (the same first article) before the compaction is live, and keeps its entries."""
    monkeypatch.setattr(store_module, "COMPACT_SLACK", 0)  # no live stories: always compact
    kept: dict[str, st.StateValue] = {}
    store = AlertStore(kept, StoryRules())
    made = {
        sid: st.Story.model_construct(id=sid, topic="t", bands=("x",)) for sid in ("s1", "s2", "s3")
    }
    write = functools.partial(_keep, kept)
    store.apply({"b|t|x": tuple(made), **{st.story_key("t", k): v for k, v in made.items()}}, write)
    store._compact_above = 10**9  # from here on, only when the test says
    store.apply({st.story_key("t", "s1"): None, st.story_key("t", "s2"): None}, write)
    store.apply({st.story_key("t", "s1"): made["s1"]}, write)
    store._compact()
    assert store._index.buckets == {"b|t|x": ("s1", "s3")}


def test_compaction_finds_a_story_founded_and_deleted_in_one_batch_in_the_buckets_it_wrote(
    monkeypatch,
):
    """Compaction visits the buckets of a deleted story's bands, read from its record as the
    delete is applied; a story founded and deleted in one batch has no record yet, and is
    found in the buckets that batch wrote."""
    monkeypatch.setattr(store_module, "COMPACT_SLACK", 0)
    kept: dict[str, st.StateValue] = {}
    store = AlertStore(kept, StoryRules())
    write = functools.partial(_keep, kept)
    s1 = st.Story.model_construct(id="s1", topic="t", bands=("x",))
    store.apply({"b|t|x": ("s1",), st.story_key("t", "s1"): s1}, write)
    store._compact_above = 10**9
    batch = {"b|t|x": ("s2", "s1"), "b|t|y": ("s2",), "b|t|z": ("s3",)}
    batch |= {st.story_key("t", "s1"): None, st.story_key("t", "s2"): None}
    store.apply(batch, write)
    assert store._deleted == {"t": {"s1": ("b|t|x",), "s2": ("b|t|x", "b|t|y")}}
    store._compact()
    assert store._index.buckets == {"b|t|z": ("s3",)}


@pytest.mark.parametrize("sizes", [(1,), (20,), (3, 17, 1, 40, 9)])
def test_the_batches_a_worker_happens_to_take_never_change_what_it_alerts(sizes):
    """The worker's batches are whatever queued; `newsradar process` takes others. Stories
    that recur, a topic over its story bound and the index compacted as evictions pile up:
    the alerts and the kept state must be those of one match at a time."""

    def run(batch_sizes: tuple[int, ...]) -> tuple[list[bytes | None], dict[str, st.StateValue]]:
        rules = AlertRules(story=StoryRules(max_stories=40))
        kept: dict[str, st.StateValue] = {}
        store, step, alerts, lo = AlertStore(kept, rules.story), AlertStep(rules), [], 0
        for n in itertools.cycle(batch_sizes):
            if lo >= len(matches):
                break
            batch = [
                Record(m.model_dump_json().encode(), partition=0, offset=lo + i)
                for i, m in enumerate(matches[lo : lo + n])
            ]
            done = step(store, batch, now=NOW)
            alerts += [o.key for o in done.outputs()]
            store.apply(done.changes, lambda k, v: _keep(kept, k, v))
            lo += n
        return alerts, kept

    recurring = [unrelated_story(5000 + k) for k in range(4)]
    matches = [  # every third one of four stories that recur, the rest each a story of its own
        match(
            f"m{i}",
            recurring[i % 4] if i % 3 == 0 else unrelated_story(i),
            published=T0 + minutes(i),
        )
        for i in range(900)
    ]
    one_by_one = run((1,))
    assert run(sizes) == one_by_one and len(one_by_one[0]) > 11


def test_a_story_that_keeps_growing_outlives_the_window():
    run = Run(AlertRules(story=StoryRules(window_seconds=3600, cooldown_seconds=10**6)))
    copies = _copies(10)
    run.feed(
        *[
            c.model_copy(
                update={"article": c.article.model_copy(update={"published": T0 + minutes(40 * i)})}
            )
            for i, c in enumerate(copies)
        ]
    )
    assert _stories(run) == 1 and run.kinds() == ["story"]


def test_no_more_than_max_stories_per_topic():
    run = Run(AlertRules(story=StoryRules(max_stories=20)))
    run.feed(
        *[match(f"u{i}", unrelated_story(i), published=T0 + minutes(i / 10)) for i in range(60)]
    )
    assert _stories(run) == 20
    assert run.store[st.topic_key("russia-ukraine")].live_stories == 20  # type: ignore[union-attr]


def _stories(run: Run) -> int:
    return sum(isinstance(v, st.Story) for v in run.store.values())


def _story_ids(run: Run) -> list[str]:
    return [v.id for v in run.store.values() if isinstance(v, st.Story)]


# --- severity ----------------------------------------------------------------------------


def test_wide_pickup_raises_the_severity_one_level():
    run = Run(AlertRules(story=StoryRules(cooldown_seconds=0), outlets_to_escalate=5))
    run.feed(*_copies(5))
    assert [a.severity for a in run.alerts] == ["high", "high", "high", "high", "critical"]
    assert "carried by 5 outlets" in run.alerts[-1].reasons


@pytest.mark.parametrize(
    ("text", "severity"),
    [
        ("Moscow ordered a partial mobilisation as Kyiv braced for attacks.", "high"),
        ("Talks in Moscow and Kyiv about grain resumed.", "medium"),
    ],
)
def test_configured_escalation_terms_raise_the_severity(text, severity):
    rules = AlertRules(escalation_terms=("mobilisation", "missile strike"))
    run = Run(rules)
    run.feed(match("x", text, severity="medium", rules=rules))
    assert run.alerts[0].severity == severity


def test_a_louder_article_makes_the_story_louder():
    """The taxonomy's rules rate each article; the story is as loud as its loudest."""
    run = Run(AlertRules(story=StoryRules(cooldown_seconds=0)))
    (first, second) = _copies(2)
    second = second.model_copy(
        update={"topic": second.topic.model_copy(update={"severity": "critical"})}
    )
    run.feed(first, second)
    assert [a.severity for a in run.alerts] == ["high", "critical"]


# --- digests -------------------------------------------------------------------------------


def test_digest_mode_batches_a_topics_stories_per_interval():
    run = Run(AlertRules(digest_seconds=3600))
    run.feed(
        *[
            match(f"u{i}", unrelated_story(i), title=f"Report {i}", published=T0 + minutes(10 * i))
            for i in range(8)
        ]
    )
    # stories at 0..70 minutes: the one at 60 closes the first hour's digest
    assert run.kinds() == ["digest"]
    (digest,) = run.alerts
    assert [e.title for e in digest.digest] == [f"Report {i}" for i in range(7)]
    assert digest.story_id is None and digest.severity == "high"


# --- the rest ------------------------------------------------------------------------------


def test_state_values_survive_the_changelog_codec():
    run = Run()
    run.feed(*_copies(3))
    for value in run.store.values():
        assert st.decode(st.encode(value)) == value


def test_settings_defaults_are_the_rules_defaults():
    assert alert_rules(AlertingSettings()) == AlertRules()


def test_the_alert_step_keeps_stories_across_a_batch_and_across_batches():
    store = AlertStore({}, StoryRules())
    matches = [
        Record(m.model_dump_json().encode(), partition=0, offset=i)
        for i, m in enumerate(_copies(10))
    ]
    kinds = []
    for batch in (matches[:4], matches[4:]):
        step = AlertStep(AlertRules())(store, batch, now=NOW)
        store.apply(step.changes, store.kept.__setitem__)  # type: ignore[index]
        kinds += [a.kind for v in step.verdicts for a in v.facts.step.alerts]
    assert kinds == ["story"]


@pytest.mark.parametrize(
    ("text", "summary"),
    [
        ("One. Two. Three.", "One. Two."),
        ("“Quoted.” Next one. Last.", "“Quoted.” Next one."),
        ("Para one\n\nPara two\n\nPara three", "Para one Para two"),
    ],
)
def test_summary_is_the_lead_sentences(text, summary):
    assert summarize(text) == summary


def test_long_summary_is_cut_at_a_word():
    summary = summarize("word " * 200)
    assert len(summary) <= 401 and summary.endswith("…")


def test_stale_articles_join_stories_without_alerts_when_configured():
    run = Run(AlertRules(stale_seconds=48 * 3600))
    old = [
        c.model_copy(
            update={"article": c.article.model_copy(update={"ingested": NOW + timedelta(days=30)})}
        )
        for c in _copies(3)
    ]
    steps = run.feed(*old)
    assert [s.outcome for s in steps] == ["new", "joined", "joined"] and run.alerts == []


@pytest.mark.parametrize(
    ("source", "url", "expected"),
    [
        ("Daily Ledger", "https://x.example/a", "Daily Ledger"),
        (None, "https://www.x.example/a", "x.example"),
        (None, "A://[", None),  # not a URL any parser takes: no outlet, not a failure
        (" ", None, None),
    ],
)
def test_the_outlet_of_an_article(source, url, expected):
    assert stories.outlet(source, url) == expected


def test_a_story_alert_built_without_validation_is_a_valid_alert():
    """`records.story_alert` skips re-validation: what it builds must validate unchanged."""
    run = Run(AlertRules(story=StoryRules(cooldown_seconds=0)))
    run.feed(*_copies(3))
    assert {a.kind for a in run.alerts} == {"story", "story-update"}
    for alert in run.alerts:
        assert Alert.model_validate_json(alert.model_dump_json()) == alert
