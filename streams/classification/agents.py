"""The classify agent: news.articles.clean -> news.articles.classified + news.topic-matches."""

from __future__ import annotations

from faust.types import StreamT

from schemas import CleanArticle
from streams import topics
from streams.app import app, settings
from streams.classification.logic import classify, compile_taxonomy, topic_matches
from streams.classification.taxonomy import load_taxonomy
from streams.codec import decode
from streams.metrics import METRICS
from streams.rejection import Rejected
from streams.stage import guarded

STAGE = "classify"
TAXONOMY = compile_taxonomy(load_taxonomy(settings.classification.taxonomy_path))


@app.agent(topics.clean_articles)
async def classify_articles(stream: StreamT[bytes]) -> None:
    """Classify each clean article; one topic-match record per topic it passed."""
    async for event in stream.events():
        async with guarded(STAGE, event) as guard:
            article = decode(CleanArticle, event.value)
            if isinstance(article, Rejected):
                await guard.reject(article)
                continue
            classified = classify(article, TAXONOMY)
            await topics.classified_articles.send(
                key=classified.id.encode(), value=classified.model_dump_json().encode()
            )
            for match in topic_matches(classified):  # keyed by topic id
                await topics.topic_matches.send(
                    key=match.topic.id.encode(), value=match.model_dump_json().encode()
                )
                METRICS.topic_matches.labels(match.topic.id).inc()
            guard.passed()
