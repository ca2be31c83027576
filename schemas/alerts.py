"""The alert record users subscribe to (topic news.alerts)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from schemas.articles import Evidence
from schemas.common import Record, UtcDatetime
from schemas.vocabulary import AlertKind, Severity


class ArticleRef(Record):
    """One article of a story: enough to open it and to tell the outlets apart."""

    id: str
    title: str = ""
    url: str | None = None
    source: str | None = None
    published: UtcDatetime | None = None
    ingested: UtcDatetime | None = None


class SurgeEvidence(Record):
    """Why a surge alert fired: the window's count against the topic's usual volume."""

    window_start: UtcDatetime
    window_end: UtcDatetime
    count: int = Field(ge=0, description="Articles published in the window.")
    baseline: float = Field(ge=0.0, description="EWMA of earlier windows' counts.")
    factor: float = Field(ge=0.0, description="The configured factor the count had to exceed.")


class DigestEntry(Record):
    """One story in a digest alert."""

    story_id: str
    title: str
    severity: Severity
    article_count: int
    outlet_count: int
    url: str | None = None


class Alert(Record):
    """An alert about a story (or a surge, or a digest) on one topic.

    `id` is the same for the same input, so a redelivery after a crash cannot produce a
    second, distinct alert. The flat `article_id`, `url` and `source` are the story's
    representative article, which `articles` lists first.
    """

    schema_version: Literal[1] = 1
    id: str
    kind: AlertKind = "story"
    topic: str
    topic_name: str
    severity: Severity
    score: float = Field(ge=0.0, le=1.0)
    story_id: str | None = Field(default=None, description="Absent on digests.")
    article_id: str
    title: str
    summary: str
    url: str | None = None
    source: str | None = None
    articles: list[ArticleRef] = Field(
        default_factory=list,
        description="Every article in the story (bounded by max_articles_per_story).",
    )
    article_count: int = Field(default=1, ge=0, description="Articles in the story, all counted.")
    outlets: list[str] = Field(default_factory=list, description="Distinct sources of the story.")
    evidence: list[Evidence]
    reasons: list[str] = Field(default_factory=list, description="Why this severity.")
    surge: SurgeEvidence | None = None
    digest: list[DigestEntry] = Field(default_factory=list)
    taxonomy_version: str
    published: UtcDatetime | None = None
    ingested: UtcDatetime | None = None
    alerted: UtcDatetime
