"""All stages composed in one process, no broker: what `newsradar process` runs.

The same stage logic runs here as in the agents; this module only chains it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from schemas import Alert, ClassifiedArticle, CleanArticle, RawArticle, TopicMatch
from streams.alerting.logic import AlertRules, on_match
from streams.alerting.state import StateValue, apply_changes
from streams.classification.logic import CompiledTaxonomy, classify, topic_matches
from streams.cleaning.dedup import Seen, dedup_key
from streams.cleaning.furniture import LearnedRemoval
from streams.cleaning.logic import DEFAULTS, CleanOptions, Dropped, OutletLearning, deduplicate
from streams.rejection import Rejected


@dataclass(frozen=True)
class Outcome:
    """What became of one input: a classified article and its alerts, or a rejection."""

    article_id: str | None
    stage: str = ""
    classified: ClassifiedArticle | None = None
    alerts: list[Alert] = field(default_factory=list)
    rejected: Rejected | None = None
    dropped: Dropped | None = None


@dataclass
class CleanState:
    """The clean stage for one run: its options, the dedup table kept in a dict, each
    outlet's learned furniture, and the last article's learned removals (for --explain)."""

    options: CleanOptions = DEFAULTS
    window: float = 0.0
    seen: dict[str, Seen] = field(default_factory=dict)
    furniture: OutletLearning = field(default_factory=OutletLearning)
    learned: tuple[LearnedRemoval, ...] = ()

    def cleaned(self, raw: RawArticle, now: datetime) -> CleanArticle | Rejected | Dropped:
        """The agents' two steps in one: clean, then drop a duplicate seen within the window."""
        done = self.furniture.clean(raw, ingested=now, options=self.options)
        article, self.learned = done.result, done.learned
        if not isinstance(article, CleanArticle):
            return article
        key = dedup_key(article)
        self.seen[key], dropped = deduplicate(
            self.seen.get(key), article, now=now, window=self.window
        )
        return dropped or article


@dataclass
class AlertState:
    """The alert stage's state for one run: the agent's rules, kept in a dict, not a table."""

    rules: AlertRules = field(default_factory=AlertRules)
    store: dict[str, StateValue] = field(default_factory=dict)

    def alerts_for(self, match: TopicMatch, now: datetime) -> list[Alert]:
        step = on_match(self.store, match, self.rules, now=now)
        apply_changes(self.store, step.changes)
        return step.alerts


def process_article(
    raw: RawArticle,
    taxonomy: CompiledTaxonomy,
    *,
    now: datetime,
    alerting: AlertState | None = None,
    cleaning: CleanState | None = None,
) -> Outcome:
    """Clean, classify and alert one article; without `alerting` it is its own first story,
    without `cleaning` it is cleaned with the default options and no memory of duplicates."""
    cleaned = (cleaning or CleanState()).cleaned(raw, now)
    if isinstance(cleaned, Rejected):
        return Outcome(article_id=raw.id, stage="clean", rejected=cleaned)
    if isinstance(cleaned, Dropped):
        return Outcome(article_id=raw.id, stage="clean", dropped=cleaned)
    classified = classify(cleaned, taxonomy)
    state = alerting or AlertState()
    alerts = [a for match in topic_matches(classified) for a in state.alerts_for(match, now)]
    return Outcome(article_id=raw.id, classified=classified, alerts=alerts)
