"""The worker's steps in this process, no broker: what `newsradar process` runs.

`LocalPipeline` hands the steps of streams/steps.py the records the worker's agents would
read (the same bytes, one partition per topic, offsets counted here) and keeps their
state in dicts: the same code decides in both places, so the in-process mode cannot drift
from the worker (tests/integration/test_process_parity.py runs both on one corpus).
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from itertools import count

from pydantic_core import PydanticSerializationError

from schemas import Alert, ClassifiedArticle, CleanArticle, RawArticle
from streams.alerting.logic import AlertRules
from streams.alerting.state import StateValue
from streams.alerting.store import AlertStore
from streams.classification.logic import CompiledTaxonomy
from streams.cleaning.furniture import LearnedRemoval, Outlets
from streams.cleaning.logic import DEFAULTS, CleanOptions, Dropped
from streams.rejection import Rejected
from streams.steps import (
    ALERTS,
    CLASSIFIED,
    DEDUP,
    MATCHES,
    AlertStep,
    Cleaned,
    CleanStep,
    DedupClassifyStep,
    Record,
    Verdict,
)


@dataclass(frozen=True)
class Outcome:
    """What became of one input: a classified article and its alerts, or a rejection."""

    article_id: str | None
    stage: str = ""
    classified: ClassifiedArticle | None = None
    alerts: list[Alert] = field(default_factory=list)
    rejected: Rejected | None = None
    dropped: Dropped | None = None
    #: What each stage published for it, as the worker would (the classified record, ...).
    published: dict[str, list[bytes]] = field(default_factory=dict)
    cleaned: CleanArticle | None = None
    learned: tuple[LearnedRemoval, ...] = ()


@dataclass
class LocalPipeline:
    """Every step of the worker, over in-memory topics of one partition each."""

    taxonomy: CompiledTaxonomy
    options: CleanOptions = DEFAULTS
    window: float = 0.0
    rules: AlertRules = field(default_factory=AlertRules)
    seen: dict[bytes, bytes] = field(default_factory=dict)
    kept: dict[str, StateValue] = field(default_factory=dict)
    furniture: Outlets = field(default_factory=Outlets)
    _offsets: dict[str, count[int]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.alert_store = AlertStore(self.kept, self.rules.story)

    def run(self, raw: Sequence[tuple[bytes | None, bytes]], now: datetime) -> list[Outcome]:
        """Each (key, RawArticle JSON) through every step, as Kafka records of time `now`."""
        stamp = now.timestamp()
        cleaned = CleanStep(self.options, time.monotonic)(
            self.furniture, [self._record("raw", value, key, stamp) for key, value in raw]
        )
        for outlet, state in cleaned.changes.items():
            self.furniture.put(outlet, state)
        dedup = [self._from(v, DEDUP) for v in cleaned.verdicts]
        classify = DedupClassifyStep(lambda: self.taxonomy, self.rules, self.window)
        classified = classify(self.seen, [r for r in dedup if r is not None])
        self.seen.update(classified.changes)
        owners, matches = [], []
        for verdict in classified.verdicts:
            for record in self._all(verdict, MATCHES):
                owners.append(verdict.facts.id)
                matches.append(record)
        alerted = AlertStep(self.rules)(self.alert_store, matches, now=now)
        self.alert_store.apply(alerted.changes, self._keep)
        by_article: dict[str, list[Verdict]] = {}
        for owner, verdict in zip(owners, alerted.verdicts, strict=True):
            by_article.setdefault(owner, []).append(verdict)
        return _outcomes(cleaned.verdicts, dedup, classified.verdicts, by_article)

    def _keep(self, key: str, value: StateValue | None) -> None:
        if value is None:
            self.kept.pop(key, None)
        else:
            self.kept[key] = value

    def _record(self, topic: str, value: bytes, key: bytes | None, stamp: float) -> Record:
        offsets = self._offsets.setdefault(topic, count())
        return Record(value, key, 0, next(offsets), stamp, topic=topic)

    def _from(self, verdict: Verdict, topic: str) -> Record | None:
        records = self._all(verdict, topic)
        return records[0] if records else None

    def _all(self, verdict: Verdict, topic: str) -> list[Record]:
        stamp, offsets = verdict.record.timestamp, self._offsets.setdefault(topic, count())
        return [
            Record(o.value, o.key, 0, next(offsets), stamp, o.headers, topic)
            for o in verdict.outputs
            if o.topic == topic
        ]


def _outcomes(
    cleaned: list[Verdict],
    dedup: list[Record | None],
    classified: list[Verdict],
    alerted: dict[str, list[Verdict]],
) -> list[Outcome]:
    """One outcome per raw input, in order: the steps' verdicts followed record by record."""
    later = iter(classified)
    outcomes = []
    for verdict, record in zip(cleaned, dedup, strict=True):
        article_id = (verdict.record.key or b"").decode() or None
        if record is None:
            outcomes.append(_refused(article_id, verdict))
            continue
        second = next(later)
        if not second.passed:
            outcomes.append(_refused(article_id, second, verdict.facts))
            continue
        own = [v for v in alerted.get(second.facts.id, []) if v.facts is not None]
        outcomes.append(
            Outcome(
                article_id=second.facts.id,
                classified=second.facts,
                alerts=[a for v in own for a in v.facts.step.alerts],
                published={
                    CLASSIFIED: [o.value for o in second.outputs if o.topic == CLASSIFIED],
                    ALERTS: [o.value for v in own for o in v.outputs],
                },
                cleaned=verdict.facts.article,
                learned=verdict.facts.learned,
            )
        )
    return outcomes


def _refused(article_id: str | None, verdict: Verdict, cleaned: Cleaned | None = None) -> Outcome:
    return Outcome(
        article_id=article_id,
        stage=verdict.stage or "clean",
        rejected=verdict.rejected,
        dropped=verdict.dropped,
        cleaned=cleaned.article if cleaned else None,
        learned=cleaned.learned if cleaned else (),
    )


# -- the one-article helpers the commands and tests use ------------------------------------


def process_article(
    raw: RawArticle,
    taxonomy: CompiledTaxonomy,
    *,
    now: datetime,
    pipeline: LocalPipeline | None = None,
) -> Outcome:
    """Clean, classify and alert one article; without `pipeline` it is its own first story
    and there is no memory of duplicates."""
    pipeline = pipeline or LocalPipeline(taxonomy)
    (outcome,) = pipeline.run([(raw.id.encode(), encoded(raw))], now)
    return outcome


def encoded(raw: RawArticle) -> bytes:
    """The article as a publisher sends it. A lone surrogate (text made in Python, not read
    from bytes: no JSON parser passes one) becomes U+FFFD, as the clean stage would make it."""
    try:
        return raw.model_dump_json().encode()
    except PydanticSerializationError:
        text = json.dumps(raw.model_dump(mode="json"), ensure_ascii=False)
        return text.translate(_SURROGATES).encode()


_SURROGATES = dict.fromkeys(range(0xD800, 0xE000), "\ufffd")
