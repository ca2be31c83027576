"""The alert agent with Faust's test_context: alerts sent, state written after, counters."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from schemas import Alert, DeadLetter
from streams.alerting import agents
from streams.alerting.agents import alert_state, raise_alerts
from streams.alerting.state import AlertMark, Story, mark_key
from tests.agents.conftest import put_all, run, value
from tests.unit.alert_fixtures import T0, copy_of_wire_story, match, minutes

TOPIC = b"russia-ukraine"


@pytest.fixture(autouse=True)
def empty_state(app) -> Iterator[None]:  # type: ignore[no-untyped-def]
    """Each test starts with an empty table: test_context numbers offsets from 0 each time."""
    alert_state.data.clear()
    agents.STORE.forget()
    yield
    alert_state.data.clear()
    agents.STORE.forget()


def _copies(prefix: str, count: int, spacing: float = 2.0) -> list[bytes]:
    out = []
    for i in range(count):
        source, title, text = copy_of_wire_story(i)
        m = match(
            f"{prefix}{i}",
            text + f" {prefix}",
            source=source,
            title=title,
            published=T0 + minutes(spacing * i),
        )
        out.append(m.model_dump_json().encode())
    return out


def _alerts(sent, names) -> list[Alert]:  # type: ignore[no-untyped-def]
    return [Alert.model_validate_json(v) for v in sent.values(names.alerts)]


def test_copies_of_a_story_give_one_alert_keyed_by_its_id(app, sent, names, metrics, event_loop):
    run(event_loop, put_all(raise_alerts, _copies("agent-a", 4), key=TOPIC))
    (out,) = sent[names.alerts]
    alert = Alert.model_validate_json(out.value)
    assert out.key == alert.id.encode() and alert.kind == "story"
    assert out.partition == 0  # the partition of its matches
    story = alert_state[f"s|russia-ukraine|{alert.story_id}"]
    assert isinstance(story, Story) and story.article_count == 4
    labels = {"topic": "russia-ukraine", "kind": "story", "severity": "high"}
    assert value(metrics, "newsradar_alerts_total", **labels) == 1
    joined = {"topic": "russia-ukraine", "outcome": "joined"}
    assert value(metrics, "newsradar_story_articles_total", **joined) == 3


def test_a_match_costs_a_few_state_writes_not_one_per_index_band(app, sent, names, event_loop):
    """The LSH index and the time slices are derived: memory only, rebuilt on assignment."""
    run(event_loop, put_all(raise_alerts, _copies("agent-w", 4), key=TOPIC))
    keys = [key for name, _, key, _ in sent.changelog if name == "alert-state"]
    assert not [k for k in keys if k.startswith(("b|", "g|"))]
    assert len(set(keys)) == len(keys)  # each key once per batch
    assert sorted(k[0] for k in keys) == ["m", "r", "s", "t"]


def test_a_copy_after_the_cooldown_sends_a_story_update(app, sent, names, event_loop):
    run(event_loop, put_all(raise_alerts, _copies("agent-b", 3, spacing=20), key=TOPIC))
    assert [a.kind for a in _alerts(sent, names)] == ["story", "story-update"]


def test_the_same_article_twice_is_counted_as_a_duplicate(app, sent, names, metrics, event_loop):
    (one,) = _copies("agent-c", 1)
    run(event_loop, put_all(raise_alerts, [one, one], key=TOPIC))
    assert len(_alerts(sent, names)) == 1
    dropped = {"stage": "alert", "reason": "duplicate"}
    assert value(metrics, "newsradar_articles_dropped_total", **dropped) == 1


def test_a_bad_match_becomes_a_dead_letter_and_the_next_goes_on(app, sent, names, event_loop):
    run(event_loop, put_all(raise_alerts, [b"not json", *_copies("agent-d", 1)], key=TOPIC))
    (letter_bytes,) = sent.values(names.deadletter)
    assert DeadLetter.model_validate_json(letter_bytes).stage == "alert"
    assert len(_alerts(sent, names)) == 1


def test_an_alert_already_on_the_topic_is_not_sent_again_but_recorded(
    app, sent, names, tails, event_loop
):
    """A worker killed after sending, before writing the state: the match comes again."""
    (one,) = _copies("agent-e", 1)
    run(event_loop, put_all(raise_alerts, [one], key=TOPIC))
    (alert,) = _alerts(sent, names)
    alert_state.data.clear()  # the state write was lost; the alert is on the topic
    agents.STORE.forget()
    sent.clear()
    tails.return_value = frozenset({alert.id})
    run(event_loop, put_all(raise_alerts, [one], key=TOPIC))
    assert _alerts(sent, names) == []
    story = alert_state[f"s|russia-ukraine|{alert.story_id}"]
    assert isinstance(story, Story) and story.alerted_at is not None
    tails.assert_awaited_with(0, 0)


def test_the_mark_follows_the_last_alert_sent(app, sent, names, event_loop):
    sent[names.alerts].extend([None] * 41)  # the recorder answers offset 41 for the next
    run(event_loop, put_all(raise_alerts, _copies("agent-f", 1), key=TOPIC))
    assert alert_state[mark_key(0)] == AlertMark(next_offset=42)
    assert [k for _, _, k, _ in sent.changelog][-1] == mark_key(0)  # written last


def test_a_restarted_worker_rebuilds_the_index_from_the_kept_stories(app, sent, names, event_loop):
    """What a new owner of the partition has: the stories from the changelog, no index.
    A copy of a known story still joins it rather than founding another."""
    copies = _copies("agent-g", 3)
    run(event_loop, put_all(raise_alerts, copies[:1], key=TOPIC))
    agents.STORE.forget()  # as on a partition assignment
    run(event_loop, put_all(raise_alerts, copies[1:], key=TOPIC))
    assert [a.kind for a in _alerts(sent, names)] == ["story"]


def test_every_value_written_survives_faust_s_own_changelog_serialisation(
    app, sent, names, event_loop
):
    """Faust sends a bytes value past the table's codec but reads it back through it: what
    the agent writes must come back from the changelog as it went in."""
    run(event_loop, put_all(raise_alerts, _copies("agent-h", 2), key=TOPIC))
    registry, typ, codec = app.serializers, alert_state.value_type, alert_state.value_serializer
    written = [v for name, _, _, v in sent.changelog if name == "alert-state"]
    assert written
    for one in written:
        wire = registry.dumps_value(typ, one, serializer=codec)
        assert registry.loads_value(typ, wire, serializer=codec) == one
