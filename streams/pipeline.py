"""All stages composed in one process, no broker: what `newsradar process` runs.

The same stage logic runs here as in the agents; this module only chains it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from schemas import Alert, ClassifiedArticle, RawArticle, TopicMatch
from streams.alerting.logic import AlertRules, on_match
from streams.alerting.state import StateValue, apply_changes
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


@dataclass
class AlertState:
    """The alert stage's state for one run: the agent's rules, kept in a dict, not a table."""

    rules: AlertRules = field(default_factory=AlertRules)
    store: dict[str, StateValue] = field(default_factory=dict)

    def alerts_for(self, match: TopicMatch, now: datetime) -> list[Alert]:
        step = on_match(self.store, match, self.rules, now=now)
        apply_changes(self.store, step.changes)
        return step.alerts


def process_bytes(
    value: bytes, taxonomy: CompiledTaxonomy, *, now: datetime, alerting: AlertState | None = None
) -> Outcome:
    """Decode a raw record as the clean agent would, then run every stage."""
    raw = decode(RawArticle, value)
    if isinstance(raw, Rejected):
        return Outcome(article_id=None, stage="clean", rejected=raw)
    return process_article(raw, taxonomy, now=now, alerting=alerting)


def process_article(
    raw: RawArticle,
    taxonomy: CompiledTaxonomy,
    *,
    now: datetime,
    alerting: AlertState | None = None,
) -> Outcome:
    """Clean, classify and alert one article; without `alerting` it is its own first story."""
    cleaned = clean(raw, ingested=now)
    if isinstance(cleaned, Rejected):
        return Outcome(article_id=raw.id, stage="clean", rejected=cleaned)
    classified = classify(cleaned, taxonomy)
    state = alerting or AlertState()
    alerts = [a for match in topic_matches(classified) for a in state.alerts_for(match, now)]
    return Outcome(article_id=raw.id, classified=classified, alerts=alerts)
