"""Stories: near-duplicate articles on a topic as one cluster, bounded by age and count. Pure.

A story is found through the LSH index (shared bands of the MinHash signature), confirmed
by the estimated Jaccard similarity, and lives while articles keep joining it within
`window_seconds`. Expiry is lazy and cheap: stories are filed in time slices
(generations: an eighth of the window, at most 15 minutes); when a slice is older than the
window, its stories still alive move to the current slice and the rest are deleted with
their index entries. Past `max_stories` per topic, the oldest slice's stories go first.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from schemas import CleanArticle, MatchedArticle, TopicMatch
from schemas.alerts import ArticleRef
from schemas.common import construct, short_hash
from streams.alerting.severity import loudest
from streams.alerting.similarity import Signature, similarity
from streams.alerting.state import (
    Ids,
    Overlay,
    Story,
    TopicState,
    bucket_key,
    generation_key,
    ids,
    story_key,
)

GENERATIONS = 8
MAX_SLICE_SECONDS = 900
#: Story ids kept per index bucket: the newest win; an older story loses only this band.
BUCKET_SIZE = 4
#: Evidence items kept per story: enough to show why it matched, small in the changelog.
MAX_EVIDENCE = 20


@dataclass(frozen=True, slots=True)
class StoryRules:
    window_seconds: int = 48 * 3600
    similarity: float = 0.5
    max_stories: int = 500
    max_articles: int = 50
    max_outlets: int = 50
    cooldown_seconds: int = 1800

    @property
    def generation_seconds(self) -> int:
        """Short slices: a slice's id list is rewritten as stories are filed in it."""
        return max(60, min(self.window_seconds // GENERATIONS, MAX_SLICE_SECONDS))

    @property
    def slices_per_window(self) -> int:
        return -(-self.window_seconds // self.generation_seconds)


def story_id(topic: str, first_article_id: str) -> str:
    """Deterministic: the same first article always founds the same story."""
    return "s" + short_hash(topic, first_article_id)


def outlet(source: str | None, url: str | None) -> str | None:
    """Who carried the article: its source name, else its URL's host."""
    if source and source.strip():
        return source.strip()
    try:
        host = urlsplit(url).hostname if url else None
    except ValueError:  # not a URL a parser takes ("A://[" is an unclosed IPv6 host)
        return None
    return host.removeprefix("www.") if host else None


def reference(article: CleanArticle | MatchedArticle) -> dict[str, Any]:
    """What identifies an article in a story and an alert: the fields of an ArticleRef."""
    return {name: getattr(article, name) for name in ArticleRef.model_fields}


def article_ref(match: TopicMatch) -> ArticleRef:
    return ArticleRef(**reference(match.article))


def buckets(tx: Overlay, topic: str, bands: list[str]) -> dict[str, Ids]:
    """The index buckets of these bands, read once: `find` searches them, and `index` adds
    a story founded right after to them (nothing writes a bucket in between)."""
    return {band: ids(tx.get(bucket_key(topic, band))) for band in bands}


def find(
    tx: Overlay,
    topic: str,
    sig: Signature,
    held: Mapping[str, Ids],
    clock: datetime,
    rules: StoryRules,
) -> Story | None:
    """The live story most similar to the signature, if similar enough, among the stories
    of its bands' buckets (`held`, from `buckets`)."""
    best, best_similarity = None, rules.similarity
    seen: set[str] = set()
    oldest = clock - timedelta(seconds=rules.window_seconds)
    for bucket in held.values():
        for sid in bucket:
            if sid in seen:
                continue
            seen.add(sid)
            story = tx.get(story_key(topic, sid))
            if not isinstance(story, Story) or story.last_seen < oldest:
                continue
            score = similarity(sig, story.signature)
            if score >= best_similarity:
                best, best_similarity = story, score
    return best


def found(
    match: TopicMatch,
    sig: Signature,
    bands: list[str],
    moment: datetime,
    summary: str,
    escalations: list[str],
) -> Story:
    """A new story whose first (and representative) article is this one.

    Built without re-validation (`schemas.common.construct`): every part is an already validated
    record or a value computed here; this runs for most articles.
    """
    topic, article = match.topic, match.article
    where = outlet(article.source, article.url)
    return construct(
        Story,
        id=story_id(topic.id, article.id),
        topic=topic.id,
        topic_name=topic.name,
        signature=sig,
        bands=tuple(bands),
        first_seen=moment,
        last_seen=moment,
        title=article.title,
        summary=summary,
        score=topic.score,
        base_severity=topic.severity,
        evidence=tuple(topic.evidence[:MAX_EVIDENCE]),
        taxonomy_version=match.taxonomy_version,
        articles=(article_ref(match),),
        outlets=(where,) if where else (),
        escalations=tuple(escalations),
    )


def contains(story: Story, article_id: str) -> bool:
    return any(ref.id == article_id for ref in story.articles)


def join(
    story: Story, match: TopicMatch, moment: datetime, escalations: list[str], rules: StoryRules
) -> Story:
    """The story with one more article: counted always, listed while the lists have room."""
    article = match.article
    where = outlet(article.source, article.url)
    outlets = story.outlets
    if where and where not in outlets and len(outlets) < rules.max_outlets:
        outlets = (*outlets, where)
    articles = story.articles
    if len(articles) < rules.max_articles:
        articles = (*articles, article_ref(match))
    return story.model_copy(
        update={
            "articles": articles,
            "article_count": story.article_count + 1,
            "outlets": outlets,
            "last_seen": max(story.last_seen, moment),
            "score": max(story.score, match.topic.score),
            "base_severity": loudest(story.base_severity, match.topic.severity),
            "escalations": tuple(dict.fromkeys((*story.escalations, *escalations))),
        }
    )


def index(tx: Overlay, story: Story, held: Mapping[str, Ids]) -> None:
    """Make the story findable by each of its bands; `held` is what `buckets` read for them."""
    sid, topic = story.id, story.topic
    for band in story.bands:
        others = held[band]
        if sid in others:  # founded again (its first article repeated): listed once
            others = tuple(i for i in others if i != sid)
        tx.put(bucket_key(topic, band), (sid, *others[: BUCKET_SIZE - 1]))


def file(
    tx: Overlay, state: TopicState, topic: str, sid: str, clock: datetime, rules: StoryRules
) -> TopicState:
    """Put a story id in the current time slice (for expiry) and count it live."""
    generation = int(clock.timestamp()) // rules.generation_seconds
    _add_to_generation(tx, topic, generation, sid)
    generations = state.generations
    if generation not in generations:
        generations = tuple(sorted((*generations, generation)))
    return state.model_copy(
        update={"generations": generations, "live_stories": state.live_stories + 1}
    )


def _add_to_generation(tx: Overlay, topic: str, generation: int, sid: str) -> None:
    key = generation_key(topic, generation)
    tx.put(key, (*ids(tx.get(key)), sid))


def expire(
    tx: Overlay, state: TopicState, topic: str, clock: datetime, rules: StoryRules
) -> TopicState:
    """Delete stories quiet for longer than the window."""
    now_generation = int(clock.timestamp()) // rules.generation_seconds
    oldest = clock - timedelta(seconds=rules.window_seconds)
    while state.generations and state.generations[0] < now_generation - rules.slices_per_window:
        state = _expire_generation(tx, state, topic, oldest, now_generation)
    return state


def trim(tx: Overlay, state: TopicState, topic: str, rules: StoryRules) -> TopicState:
    """Past `max_stories`, delete the oldest slice's stories, whole: one delete per story
    and none of the slice rewrites that evicting one story at a time would cost."""
    while state.live_stories > rules.max_stories and len(state.generations) > 1:
        state = _evict_oldest(tx, state, topic)
    if state.live_stories > rules.max_stories and state.generations:
        state = _evict_first(tx, state, topic, state.live_stories - rules.max_stories)
    return state


def _expire_generation(
    tx: Overlay, state: TopicState, topic: str, oldest: datetime, now_generation: int
) -> TopicState:
    generation, *rest = state.generations
    key = generation_key(topic, generation)
    entry = tx.get(key)
    tx.put(key, None)
    state = state.model_copy(update={"generations": tuple(rest)})
    live = state.live_stories
    for sid in ids(entry):
        story = tx.get(story_key(topic, sid))
        if not isinstance(story, Story):
            continue
        if story.last_seen >= oldest:
            _add_to_generation(tx, topic, now_generation, sid)
            if now_generation not in state.generations:
                state = state.model_copy(
                    update={"generations": tuple(sorted((*state.generations, now_generation)))}
                )
        else:
            delete(tx, story)
            live -= 1
    return state.model_copy(update={"live_stories": max(0, live)})


def _evict_oldest(tx: Overlay, state: TopicState, topic: str) -> TopicState:
    """Drop the oldest slice's stories: memory stays bounded however busy the topic is."""
    generation, *rest = state.generations
    key = generation_key(topic, generation)
    filed = ids(tx.get(key))
    tx.put(key, None)
    live = state.live_stories
    for sid in filed:
        story = tx.get(story_key(topic, sid))
        if isinstance(story, Story):
            delete(tx, story)
            live -= 1
    return state.model_copy(update={"generations": tuple(rest), "live_stories": max(0, live)})


def _evict_first(tx: Overlay, state: TopicState, topic: str, count: int) -> TopicState:
    """A burst within one slice: drop that slice's first `count` stories."""
    key = generation_key(topic, state.generations[0])
    filed = ids(tx.get(key))
    tx.put(key, filed[count:] or None)
    for sid in filed[:count]:
        story = tx.get(story_key(topic, sid))
        if isinstance(story, Story):
            delete(tx, story)
    live = max(0, state.live_stories - len(filed[:count]))
    generations = state.generations if filed[count:] else state.generations[1:]
    return state.model_copy(update={"live_stories": live, "generations": generations})


def delete(tx: Overlay, story: Story) -> None:
    """Remove a story. Its index entries stay (rewriting 21 buckets made an eviction the
    dearest step of a busy topic): `find` skips an id whose story is gone, a bucket keeps
    only its newest ids, and the derived index is rebuilt from the stories once stale
    entries outgrow the live ones (streams/alerting/store.py)."""
    tx.put(story_key(story.topic, story.id), None)
