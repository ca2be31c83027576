"""All stages composed in one process, no broker: what `newsradar process` runs.

The same stage logic runs here as in the agents; this module only chains it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from schemas import Alert, ClassifiedArticle, RawArticle
from streams.alerting.logic import alert_for
from streams.classification.logic import CompiledTaxonomy, classify, topic_matches
from streams.cleaning.logic import clean
from streams.codec import decode
from streams.rejection import Rejected


@dataclass(frozen=True)
class Outcome:
    """What became of one input: a classified article and its alerts, or a rejection."""

    article_id: str | None
    stage: str = ""
    classified: ClassifiedArticle | None = None
    alerts: list[Alert] = field(default_factory=list)
    rejected: Rejected | None = None


def process_bytes(value: bytes, taxonomy: CompiledTaxonomy, *, now: datetime) -> Outcome:
    """Decode a raw record as the clean agent would, then run every stage."""
    raw = decode(RawArticle, value)
    if isinstance(raw, Rejected):
        return Outcome(article_id=None, stage="clean", rejected=raw)
    return process_article(raw, taxonomy, now=now)


def process_article(raw: RawArticle, taxonomy: CompiledTaxonomy, *, now: datetime) -> Outcome:
    """Clean, classify and alert one article."""
    cleaned = clean(raw, ingested=now)
    if isinstance(cleaned, Rejected):
        return Outcome(article_id=raw.id, stage="clean", rejected=cleaned)
    classified = classify(cleaned, taxonomy)
    alerts = [alert_for(match, alerted=now) for match in topic_matches(classified)]
    return Outcome(article_id=raw.id, classified=classified, alerts=alerts)
