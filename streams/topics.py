"""Every Kafka topic newsradar uses, on one screen; the worker's are declared here.

Values are JSON bytes of the pydantic models in `schemas`; agents decode and encode them
themselves, so a malformed record reaches the agent and becomes a dead letter.

    raw ──clean──► dedup ──dedup+classify──► clean, classified, matches
    matches ──alert──► alerts                 any stage ──► deadletter

| topic (default name)                 | written by                 | key               |
| ------------------------------------ | -------------------------- | ----------------- |
| news.articles.raw                    | publish, feed, ingest      | article id        |
| <app id>-clean-dedup (internal)      | clean agent                | dedup key         |
| news.articles.clean                  | classify agent             | article id        |
| news.articles.classified             | classify agent             | article id        |
| news.topic-matches                   | classify agent             | topic id          |
| news.alerts                          | alert agent                | alert id          |
| news.deadletter                      | every agent                | the original key  |
| <app id>-clean-seen-digests-changelog| classify agent's table     | partition:bucket  |
| <app id>-alert-state-changelog       | alert agent's table        | state key         |
| news.feeds.state (compacted)         | `newsradar feed`           | feed URL          |
| news.deadletter.replayed (compacted) | `newsradar replay`         | letter position   |

Names come from `streams/settings.py` (`TopicSettings`, `SourcesSettings.feed_state_topic`);
`newsradar topics create` makes the pipeline's, Faust its internal ones and changelogs, the
feed poller and the replay command their compacted ones.
"""

from __future__ import annotations

from faust.types import TopicT

from streams import steps
from streams.app import app, settings


def _topic(name: str, *, internal: bool = False) -> TopicT:
    return app.topic(
        name,
        key_type=bytes,
        value_type=bytes,
        key_serializer="raw",
        value_serializer="raw",
        partitions=settings.topics.partitions,
        internal=internal,
    )


raw_articles = _topic(settings.topics.raw)  # RawArticle, key: article id
# CleanArticle, key: dedup key. Internal (Faust creates it, named after the app): the raw
# topic is keyed by article id, and one article can come under two ids, so only after this
# re-key does every sighting of a key reach the one partition that remembers it.
dedup = _topic(f"{settings.worker.app_id}-clean-dedup", internal=True)
clean_articles = _topic(settings.topics.clean)  # CleanArticle, key: article id
classified_articles = _topic(settings.topics.classified)  # ClassifiedArticle, key: article id
topic_matches = _topic(settings.topics.matches)  # TopicMatch, key: topic id
alerts = _topic(settings.topics.alerts)  # Alert, key: alert id
dead_letters = _topic(settings.topics.deadletter)  # DeadLetter, key: original key

#: The Kafka topic of each logical topic the steps write (streams/steps.py).
BY_STEP_NAME = {
    steps.DEDUP: dedup.get_topic_name(),
    steps.CLEAN: settings.topics.clean,
    steps.CLASSIFIED: settings.topics.classified,
    steps.MATCHES: settings.topics.matches,
    steps.ALERTS: settings.topics.alerts,
}
