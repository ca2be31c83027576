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
