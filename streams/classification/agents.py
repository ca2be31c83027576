"""The classify agent: news.articles.clean -> news.articles.classified + news.topic-matches."""

from __future__ import annotations

from faust.types import StreamT

from schemas import CleanArticle
from streams import topics
from streams.app import app, settings
from streams.classification.logic import classify, topic_matches
from streams.classification.watch import TaxonomyFile
from streams.metrics import METRICS
from streams.stage import guarded

STAGE = "classify"
TAXONOMY_FILE = TaxonomyFile(settings.classification.taxonomy_path)


@app.agent(topics.clean_articles)
async def classify_articles(stream: StreamT[bytes]) -> None:
    """Classify each clean article; one topic-match record per topic it passed."""
    async for event in stream.events():
        async with guarded(STAGE, event) as guard:
            article = await guard.decode(CleanArticle)
            if article is None:
                continue
            classified = classify(article, TAXONOMY_FILE.taxonomy)
            await topics.classified_articles.send(
                key=classified.id.encode(), value=classified.model_dump_json().encode()
            )
            for match in topic_matches(classified):  # keyed by topic id
                await topics.topic_matches.send(
                    key=match.topic.id.encode(), value=match.model_dump_json().encode()
                )
                METRICS.observe_match(match)
            guard.passed()


if settings.classification.reload_seconds > 0:

    @app.timer(interval=settings.classification.reload_seconds)
    async def reload_taxonomy() -> None:
        """An analyst's edit takes effect without a restart; a bad file is refused."""
        TAXONOMY_FILE.check()
