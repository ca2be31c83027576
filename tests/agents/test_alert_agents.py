"""The alert agent with Faust's test_context: alerts sent, state in the table, counters."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from schemas import Alert, DeadLetter
from streams.alerting.agents import alert_state, raise_alerts
from streams.alerting.state import AlertMark, Story, mark_key
from streams.metrics import METRICS
from tests.agents.conftest import run
from tests.unit.alert_fixtures import T0, copy_of_wire_story, match, minutes


@pytest.fixture(autouse=True)
def empty_state(app) -> Iterator[None]:  # type: ignore[no-untyped-def]
    """Each test starts with an empty table: test_context numbers offsets from 0 each time."""
    alert_state.data.clear()
    yield
    alert_state.data.clear()


def _count(name: str, **labels: str) -> float:
    return METRICS.registry.get_sample_value(name, labels) or 0.0


async def _put_all(values: list[bytes]) -> None:
    async with raise_alerts.test_context() as context:
        for value in values:
            await context.put(value, key=b"russia-ukraine")


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


def _alerts(mock) -> list[tuple[bytes, Alert]]:  # type: ignore[no-untyped-def]
    return [
        (c.kwargs["key"], Alert.model_validate_json(c.kwargs["value"])) for c in mock.call_args_list
    ]


def test_copies_of_a_story_give_one_alert_keyed_by_its_id(app, sent, event_loop):
    before = _count("newsradar_alerts_total", topic="russia-ukraine", kind="story", severity="high")
    joined = _count("newsradar_story_articles_total", topic="russia-ukraine", outcome="joined")
    run(event_loop, _put_all(_copies("agent-a", 4)))
    ((key, alert),) = _alerts(sent["alerts"])
    assert key == alert.id.encode() and alert.kind == "story"
    assert sent["alerts"].call_args.kwargs["partition"] == 0  # the partition of its matches
    story = alert_state[f"s|russia-ukraine|{alert.story_id}"]
    assert isinstance(story, Story) and story.article_count == 4
    after = _count("newsradar_alerts_total", topic="russia-ukraine", kind="story", severity="high")
    assert after == before + 1
    assert (
        _count("newsradar_story_articles_total", topic="russia-ukraine", outcome="joined")
        == joined + 3
    )


def test_a_copy_after_the_cooldown_sends_a_story_update(app, sent, event_loop):
    run(event_loop, _put_all(_copies("agent-b", 3, spacing=20)))  # 0, 20, 40 minutes
    kinds = [a.kind for _, a in _alerts(sent["alerts"])]
    assert kinds == ["story", "story-update"]


def test_the_same_article_twice_is_counted_as_a_duplicate(app, sent, event_loop):
    (value,) = _copies("agent-c", 1)
    before = _count("newsradar_articles_dropped_total", stage="alert", reason="duplicate")
    run(event_loop, _put_all([value, value]))
    assert len(_alerts(sent["alerts"])) == 1
    after = _count("newsradar_articles_dropped_total", stage="alert", reason="duplicate")
    assert after == before + 1


def test_a_bad_match_becomes_a_dead_letter_and_the_next_goes_on(app, sent, event_loop):
    run(event_loop, _put_all([b"not json", *_copies("agent-d", 1)]))
    (letter_bytes,) = [c.kwargs["value"] for c in sent["dead_letters"].call_args_list]
    assert DeadLetter.model_validate_json(letter_bytes).stage == "alert"
    assert len(_alerts(sent["alerts"])) == 1


def test_an_alert_already_on_the_topic_is_not_sent_again_but_recorded(app, sent, tails, event_loop):
    """A worker killed after sending, before writing the state: the match comes again."""
    (value,) = _copies("agent-e", 1)
    run(event_loop, _put_all([value]))
    ((_, alert),) = _alerts(sent["alerts"])
    alert_state.data.clear()  # the state write was lost; the alert is on the topic
    sent["alerts"].reset_mock()
    tails.return_value = frozenset({alert.id})
    run(event_loop, _put_all([value]))
    assert _alerts(sent["alerts"]) == []
    story = alert_state[f"s|russia-ukraine|{alert.story_id}"]
    assert isinstance(story, Story) and story.alerted_at is not None
    tails.assert_awaited_with(0, 0)


def test_the_mark_follows_the_last_alert_sent(app, sent, tails, event_loop):
    sent["alerts"].return_value = type("Metadata", (), {"offset": 41})()
    run(event_loop, _put_all(_copies("agent-f", 1)))
    assert alert_state[mark_key(0)] == AlertMark(next_offset=42)
