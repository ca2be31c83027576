"""The alert stage against a real broker: one alert per story, state that survives SIGKILL.

Articles go in as raw records and through every agent of a real `newsradar worker`. The
story state is read back from the alert table's changelog topic, which is also what a
restarted worker restores it from.
"""

from __future__ import annotations

import json
import os
import signal
from datetime import UTC, datetime, timedelta

import pytest

from schemas import Alert
from streams.alerting.state import StateValue, Story, decode
from tests.processes import Pipeline, Worker, read_topic
from tests.support import read_to_end, wait_until
from tests.unit.alert_fixtures import copy_of_wire_story

pytestmark = pytest.mark.integration


def raw_copy(index: int, published: datetime, tag: str) -> tuple[bytes, bytes]:
    source, title, text = copy_of_wire_story(index)
    article = {
        "title": title,
        "text": text,
        "source": source,
        "url": f"https://outlet{index}.example/{tag}/grain-convoy",
        "published": published.isoformat(),
    }
    return b"", json.dumps(article).encode()


def changelog(pipeline: Pipeline) -> str:
    return f"newsradar-test-{pipeline.suffix}-alert-state-changelog"


def state_now(pipeline: Pipeline) -> dict[str, StateValue]:
    """The alert table as a restarted worker would restore it: the changelog, read to its end."""
    table: dict[str, StateValue] = {}
    for record in read_to_end(pipeline.bootstrap, changelog(pipeline)):
        key = json.loads(record.key)
        if record.value is None:
            table.pop(key, None)
        else:
            table[key] = decode(record.value)
    return table


def story_of(pipeline: Pipeline, articles: int, worker: Worker, timeout: float = 60) -> Story:
    """The russia-ukraine story once the alert table holds `articles` of it."""

    def found() -> Story | None:
        table = state_now(pipeline).values()
        stories = [v for v in table if isinstance(v, Story) and v.topic == "russia-ukraine"]
        return next((s for s in stories if s.article_count >= articles), None)

    return wait_until(
        found,
        timeout,
        step=0.5,
        what=lambda: f"a story of {articles} articles\n{worker.log_text()[-3000:]}",
    )


def alerts(pipeline: Pipeline, at_least: int = 0, timeout: float = 90) -> list[Alert]:
    """The russia-ukraine alerts (some copies also match another topic, with its own
    stories), once there are `at_least` of them (failing past `timeout`)."""

    def read() -> list[Alert]:
        values = read_topic(pipeline.bootstrap, pipeline.topic("alerts"), 10**6, timeout=2)
        found = [Alert.model_validate_json(v) for v in values]
        return [a for a in found if a.topic == "russia-ukraine"]

    def enough() -> list[Alert] | None:
        found = read()
        return found if len(found) >= at_least else None

    if at_least == 0:
        return read()
    return wait_until(enough, timeout, what=f"{at_least} russia-ukraine alert(s)")


def test_ten_copies_of_a_story_give_one_alert_then_updates(pipeline: Pipeline):
    now = datetime.now(UTC)
    early = [raw_copy(i, now - timedelta(minutes=60 - 2 * i), "a") for i in range(5)]
    late = [raw_copy(i, now - timedelta(minutes=20 - 2 * (i - 5)), "a") for i in range(5, 10)]
    with pipeline.worker() as worker:
        pipeline.produce("raw", early)
        (story_alert,) = alerts(pipeline, 1)
        story_of(pipeline, 5, worker)
        pipeline.produce("raw", late)  # 40 minutes later: past the 30-minute cooldown
        story_of(pipeline, 10, worker)
        everything = alerts(pipeline)
    assert [a.kind for a in everything] == ["story", "story-update"], everything
    update = everything[1]
    assert story_alert.kind == "story" and story_alert.article_count == 1
    assert update.story_id == story_alert.story_id and update.article_count == 6
    assert update.articles[0].id == story_alert.article_id
    assert len(update.outlets) == 6


def test_a_worker_killed_mid_story_restores_it_and_alerts_once(pipeline: Pipeline):
    now = datetime.now(UTC)
    first = [raw_copy(i, now - timedelta(minutes=60 - i), "k") for i in range(3)]
    while_down = [raw_copy(i, now - timedelta(minutes=60 - i), "k") for i in range(3, 6)]
    after = [raw_copy(i, now - timedelta(minutes=25 - i), "k") for i in range(6, 10)]
    with pipeline.worker("first") as worker:
        pipeline.produce("raw", first)
        alerts(pipeline, 1)
        story_of(pipeline, 3, worker)
        os.killpg(worker.process.pid, signal.SIGKILL)
        worker.process.wait(10)
    pipeline.produce("raw", while_down)
    with pipeline.worker("second") as restarted:
        story_of(pipeline, 6, restarted, timeout=90)
        pipeline.produce("raw", after)
        story = story_of(pipeline, 10, restarted, timeout=120)
        everything = alerts(pipeline)
    firsts = {a.id for a in everything if a.kind == "story"}
    assert len(firsts) == 1, everything  # a lost state would have founded a second story
    updates = [a for a in everything if a.kind == "story-update"]
    assert len(updates) == 1 and updates[0].story_id == story.id
    assert updates[0].article_count == 7  # the three before the kill were restored
    assert {a.story_id for a in everything} == {story.id}
