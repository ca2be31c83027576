"""The alert record users subscribe to (topic news.alerts)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from schemas.articles import Evidence
from schemas.common import Record, UtcDatetime


class Alert(Record):
    """An alert about one article on one topic; `id` is the same for the same input."""

    schema_version: Literal[1] = 1
    id: str
    kind: Literal["story", "story-update", "surge"] = "story"
    topic: str
    topic_name: str
    severity: str
    score: float = Field(ge=0.0, le=1.0)
    article_id: str
    title: str
    summary: str
    url: str | None = None
    source: str | None = None
    evidence: list[Evidence]
    taxonomy_version: str
    published: UtcDatetime | None = None
    ingested: UtcDatetime | None = None
    alerted: UtcDatetime
