"""Article records: raw input, the cleaned article, and its classification."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from schemas.common import Record, UtcDatetime, short_hash
from schemas.vocabulary import Severity


class RawArticle(Record):
    """An article as a source delivered it (topic news.articles.raw)."""

    schema_version: Literal[1] = 1
    id: str = Field(default="", description="Stable id; derived from the URL or content if absent.")
    title: str = ""
    text: str | None = None
    html: str | None = None
    url: str | None = None
    source: str | None = None
    published: UtcDatetime | None = None
    ingested: UtcDatetime | None = Field(
        default=None, description="When the article entered the pipeline (set by the publisher)."
    )

    @model_validator(mode="after")
    def _derive_id(self) -> RawArticle:
        if not self.id:
            self.id = derive_article_id(self.url, self.title, self.text or self.html or "")
        return self


def derive_article_id(url: str | None, title: str, body: str) -> str:
    """The same article always gets the same id: from its URL if it has one, else its content."""
    if url and url.strip():
        return "u" + short_hash(url.strip().lower().rstrip("/"))
    return "c" + short_hash(title.strip(), body.strip())


class Removal(Record):
    """A piece of input the cleaner removed, and the rule that removed it."""

    rule: str
    text: str


class CleanArticle(Record):
    """The cleaned article (topic news.articles.clean)."""

    schema_version: Literal[1] = 1
    id: str
    title: str
    text: str
    language: str = Field(default="und", description="BCP 47 code; 'und' when not detected.")
    url: str | None = None
    canonical_url: str | None = Field(
        default=None, description="The page's own canonical URL, else the normalised url."
    )
    author: str | None = Field(default=None, description="From the page's metadata or byline.")
    source: str | None = None
    published: UtcDatetime | None = None
    ingested: UtcDatetime | None = None
    removed: list[Removal] = Field(
        default_factory=list, description="What cleaning removed, and by which rule."
    )


class Evidence(Record):
    """One matched term: where in the article it occurred."""

    term: str = Field(description="The taxonomy term that matched.")
    matched: str = Field(description="The article text that matched it.")
    field: Literal["title", "text"]
    start: int = Field(ge=0, description="Character offset in the field.")
    end: int = Field(ge=0)
    clause: str = Field(default="", description="The clause of the topic's query it counted for.")


class TopicScore(Record):
    """A topic the article passed the threshold of, with the evidence."""

    id: str
    name: str
    score: float = Field(ge=0.0, le=1.0)
    severity: Severity = "info"
    evidence: list[Evidence]
    about: str = Field(
        default="",
        description="How the topic runs through the article, when its query measures it:"
        " 'in title, lead and 7 of 11 paragraphs'.",
    )


class ClassifiedArticle(CleanArticle):
    """A cleaned article with the topics it belongs to (topic news.articles.classified)."""

    taxonomy_version: str
    topics: list[TopicScore] = Field(default_factory=list)


class MatchedArticle(Record):
    """What the alert stage needs of a matched article: who, when, a summary and a
    fingerprint, never the body. The classify stage computes them where the text is, and
    scales with partitions; the alert stage, keyed by topic, stays cheap per match."""

    id: str
    title: str
    url: str | None = None
    source: str | None = None
    published: UtcDatetime | None = None
    ingested: UtcDatetime | None = None
    summary: str = Field(default="", description="The lead sentences, at most 400 characters.")
    signature: list[int] = Field(
        default_factory=list,
        description="One-permutation MinHash of the title and text (64 bins), for stories.",
    )
    bands: list[str] = Field(
        default_factory=list, description="The signature's LSH band keys (none: derived)."
    )
    escalations: list[str] = Field(
        default_factory=list, description="The alert stage's escalation terms the text names."
    )


class TopicMatch(Record):
    """One record per matched topic, keyed by topic id (topic news.topic-matches)."""

    schema_version: Literal[2] = 2
    topic: TopicScore
    taxonomy_version: str
    article: MatchedArticle
