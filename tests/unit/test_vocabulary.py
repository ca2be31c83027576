"""Each vocabulary is defined once (schemas/vocabulary.py): the CLI's choices, the metrics'
label sets, the records' fields and the taxonomy all use that one definition."""

from __future__ import annotations

import argparse
from typing import get_args

from prometheus_client import CollectorRegistry

from schemas import Alert, TopicScore, vocabulary
from streams.alerting import severity
from streams.classification import taxonomy
from streams.cli import build_parser
from streams.commands import alerts, deadletters, sink
from streams.metrics import Metrics
from streams.steps import ALERT_STAGE, CLASSIFY_STAGE, CLEAN_STAGE


def _choices(command: str, option: str) -> object:
    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    action = next(a for a in sub.choices[command]._actions if option in a.option_strings)
    return action.choices


def test_the_cli_offers_the_vocabularies_themselves():
    assert _choices("alerts", "--kind") is vocabulary.ALERT_KINDS is alerts.KINDS is sink.KINDS
    assert _choices("alerts", "--min-severity") is vocabulary.SEVERITIES
    assert _choices("sink", "--min-severity") is vocabulary.SEVERITIES
    assert _choices("deadletters", "--stage") is vocabulary.STAGES
    assert deadletters.STAGES is vocabulary.STAGES


def test_records_and_the_taxonomy_take_their_literals_from_the_vocabulary():
    assert Alert.model_fields["kind"].annotation is vocabulary.AlertKind
    assert Alert.model_fields["severity"].annotation is vocabulary.Severity
    assert TopicScore.model_fields["severity"].annotation is vocabulary.Severity
    assert taxonomy.Level is vocabulary.Severity
    assert severity.LEVELS is vocabulary.SEVERITIES


def test_the_metrics_label_sets_are_the_vocabularies():
    metrics = Metrics(CollectorRegistry())
    stages = {s.labels["stage"] for s in metrics.articles_in.collect()[0].samples}
    assert stages == set(vocabulary.STAGES) == {CLEAN_STAGE, CLASSIFY_STAGE, ALERT_STAGE}
    letters = {
        (s.labels["stage"], s.labels["reason"]) for s in metrics.dead_letters.collect()[0].samples
    }
    assert letters == {(st, r) for st, rs in vocabulary.DEAD_LETTER_REASONS.items() for r in rs}
    assert set(vocabulary.DEAD_LETTER_REASONS["clean"]) == set(
        get_args(vocabulary.DeadLetterReason)
    )
