"""Surges: hopping windows of published time against an EWMA baseline; replays never surge."""

from __future__ import annotations

from datetime import timedelta

import pytest

from schemas import TopicMatch
from streams.alerting import state as st
from streams.alerting.logic import AlertRules
from streams.alerting.surges import SurgeRules, event_time, is_fresh, observe
from tests.unit.alert_fixtures import T0, match, minutes, unrelated_story
from tests.unit.test_alerting import Run

RULES = AlertRules(surge=SurgeRules(cooldown_seconds=0))
MONTH = timedelta(days=30)
ONE_MINUTE = timedelta(minutes=1)


def quiet_baseline(
    shift: timedelta = timedelta(0), arrival_delay: timedelta = ONE_MINUTE
) -> list[TopicMatch]:
    """One article every 5 minutes for the hour before T0."""
    return [
        _article(f"base{i}", i, T0 - minutes(60 - 5 * i) - shift, arrival_delay) for i in range(12)
    ]


def burst(
    shift: timedelta = timedelta(0), arrival_delay: timedelta = ONE_MINUTE, tag: str = ""
) -> list[TopicMatch]:
    """50 articles published within four minutes after T0."""
    return [
        _article(f"burst{i}{tag}", 100 + i, T0 + timedelta(seconds=5 * i) - shift, arrival_delay)
        for i in range(50)
    ]


def _article(article_id: str, index: int, published, arrival_delay: timedelta) -> TopicMatch:  # type: ignore[no-untyped-def]
    return match(
        article_id,
        unrelated_story(index),
        title=f"Report {index}",
        published=published,
        ingested=published + arrival_delay,
    )


def _replayed(matches: list[TopicMatch], now) -> list[TopicMatch]:  # type: ignore[no-untyped-def]
    """The same articles, published a month ago, arriving today (another URL, another id)."""
    out = []
    for m in matches:
        a = m.article
        assert a.published is not None
        old = a.model_copy(
            update={"id": a.id + "-replay", "published": a.published - MONTH, "ingested": now}
        )
        out.append(m.model_copy(update={"article": old}))
    return out


def _surges(run: Run) -> list:  # type: ignore[type-arg]
    return [a for a in run.alerts if a.kind == "surge"]


def test_a_burst_after_a_quiet_baseline_is_one_surge():
    run = Run(RULES)
    run.feed(*quiet_baseline(), *burst())
    (surge,) = _surges(run)
    assert surge.surge is not None
    assert surge.surge.count >= 20 and surge.surge.baseline <= 2.5
    assert surge.severity == "critical"  # one above the topic's "high"
    assert surge.surge.window_end - surge.surge.window_start == timedelta(minutes=10)


def test_the_same_articles_replayed_with_old_published_times_do_not_surge():
    run = Run(RULES)
    run.feed(*_replayed(quiet_baseline() + burst(), now=T0 + minutes(30)))
    assert _surges(run) == []


def test_a_replay_after_a_live_surge_adds_none():
    run = Run(AlertRules(surge=SurgeRules(cooldown_seconds=0)))
    live = quiet_baseline() + burst()
    run.feed(*live)
    run.feed(*_replayed(live, now=T0 + minutes(30)))
    assert len(_surges(run)) == 1


def test_a_feed_catching_up_on_hours_of_articles_at_once_is_not_a_surge():
    """60 articles arrive together, but were published over five hours: no surge."""
    arrival = T0 + timedelta(hours=5)
    run = Run(RULES)
    run.feed(
        *[
            _article(f"c{i}", i, T0 + minutes(5 * i), arrival - (T0 + minutes(5 * i)))
            for i in range(60)
        ]
    )
    assert _surges(run) == []


def test_no_surge_before_the_warmup():
    """A fresh worker with no history cannot tell a surge from a normal busy hour."""
    run = Run(RULES)
    run.feed(*burst())
    assert _surges(run) == []


def test_a_busy_topic_needs_factor_times_its_baseline():
    busy = [
        _article(f"busy{i}", i, T0 - minutes(60) + timedelta(seconds=20 * i), minutes(1))
        for i in range(180)
    ]
    run = Run(RULES)
    run.feed(*busy, *burst())  # 30 a window usually: 50 + 15 is not 3 × 30
    assert _surges(run) == []


def test_the_surge_id_is_stable_and_the_alert_says_why():
    first, again = Run(RULES), Run(RULES)
    first.feed(*quiet_baseline(), *burst())
    again.feed(*quiet_baseline(), *burst())
    assert [a.id for a in _surges(first)] == [a.id for a in _surges(again)]
    assert "articles published in 10 min" in _surges(first)[0].reasons[0]


def test_one_surge_per_episode_then_again_after_a_quiet_spell():
    run = Run(RULES)
    run.feed(*quiet_baseline(), *burst())
    later = timedelta(hours=-3)  # three hours after: baseline windows in between
    run.feed(*[_article(f"q{i}", 300 + i, T0 + minutes(10 + 5 * i), minutes(1)) for i in range(30)])
    run.feed(*burst(shift=later, tag="b"))
    assert len(_surges(run)) == 2


@pytest.mark.parametrize(
    ("published_offset", "fresh"),
    [(minutes(-5), True), (minutes(-59), True), (minutes(-61), False), (-MONTH, False)],
)
def test_freshness_is_published_close_to_ingestion(published_offset, fresh):
    assert is_fresh(T0 + published_offset, T0, None, 3600) is fresh


def test_an_article_far_behind_the_watermark_is_late():
    assert not is_fresh(T0 - minutes(90), T0 - minutes(80), T0, 3600)


def test_a_published_time_in_the_future_counts_as_its_arrival():
    assert event_time(T0 + minutes(30), T0) == T0
    assert event_time(None, T0) == T0


def test_old_windows_are_dropped_so_the_state_stays_small():
    state = st.SurgeState()
    rules = SurgeRules()
    for i in range(2000):
        moment = T0 + timedelta(seconds=37 * i)
        state, _ = observe(state, moment, moment, rules)
    assert len(state.slots) <= rules.slots_per_window
