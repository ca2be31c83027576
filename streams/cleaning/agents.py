"""The clean agent: news.articles.raw -> news.articles.clean (or news.deadletter)."""

from __future__ import annotations

from faust.types import StreamT

from schemas import RawArticle
from streams import topics
from streams.app import app
from streams.cleaning.logic import clean
from streams.codec import decode
from streams.rejection import Rejected
from streams.stage import guarded, record_time

STAGE = "clean"


@app.agent(topics.raw_articles)
async def clean_articles(stream: StreamT[bytes]) -> None:
    """Decode each raw article, clean it, and pass it on keyed by article id."""
    async for event in stream.events():
        async with guarded(STAGE, event) as guard:
            raw = decode(RawArticle, event.value)
            cleaned = raw if isinstance(raw, Rejected) else clean(raw, ingested=record_time(event))
            if isinstance(cleaned, Rejected):
                await guard.reject(cleaned)
                continue
            await topics.clean_articles.send(
                key=cleaned.id.encode(), value=cleaned.model_dump_json().encode()
            )
            guard.passed()
