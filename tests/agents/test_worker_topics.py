"""`newsradar worker` creates the internal topics its agents read before Faust starts."""

from __future__ import annotations

import faust

# What `newsradar worker` imports: the agents, registered with the app.
import streams.alerting.agents
import streams.classification.agents
import streams.cleaning.agents  # noqa: F401
from streams.commands.worker import internal_topics


def test_the_dedup_topic_is_created_before_the_consumer_subscribes(app: faust.App):
    """Left to Faust it appears a moment before the group's first assignment, which can miss
    it: the agent reading it then reads nothing for five minutes."""
    names = [name for name, _ in internal_topics(app)]
    assert f"{app.conf.id}-clean-dedup" in names
    assert all(partitions >= 1 for _, partitions in internal_topics(app))


def test_topics_faust_declares_with_settings_of_their_own_are_left_to_it(app: faust.App):
    changelogs = {table.changelog_topic.get_topic_name() for table in app.tables.values()}
    assert changelogs and not changelogs & {name for name, _ in internal_topics(app)}
