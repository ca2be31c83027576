"""Malformed records on the raw topic become dead letters and the worker keeps going."""

from __future__ import annotations

import pytest

from schemas import Alert, DeadLetter
from tests.processes import Pipeline

pytestmark = pytest.mark.e2e

MALFORMED = [
    (b"m1", b"{this is not json", "invalid_json"),
    (
        b"m2",
        b'{"title": "Wrong types", "text": {"nested": true}, "published": 7}',
        "invalid_schema",
    ),
    (b"m3", b'{"title": "Empty", "text": "   "}', "empty_text"),
    (b"m4", b"\xff\xfe\x00 binary junk", "invalid_json"),
]
#: Valid UTF-8, but six times larger as JSON text: its dead letter keeps only its start.
HUGE = (b"m5", b"\x00" * 900_000, "invalid_json")
GOOD = (
    b'{"id": "good-1", "title": "Kremlin rejects Kyiv ceasefire plan",'
    b' "text": "Russia dismissed the proposal from Ukraine. Putin said talks with Zelensky'
    b' were not possible. Ukrainian officials reported shelling in Donetsk."}'
)


def test_malformed_records_are_dead_lettered_and_the_worker_keeps_running(pipeline: Pipeline):
    with pipeline.worker() as worker:
        # One partition key each; the good article goes last on the same key as the first.
        records = [*MALFORMED, HUGE]
        pipeline.produce("raw", [(key, value) for key, value, _ in records] + [(b"m1", GOOD)])

        letters = [
            DeadLetter.model_validate_json(v) for v in pipeline.read("deadletter", len(records))
        ]
        by_key = {letter.key: letter for letter in letters}
        assert sorted(by_key) == ["m1", "m2", "m3", "m4", "m5"], worker.log_text()[-3000:]
        for key, value, reason in records:
            letter = by_key[key.decode()]
            assert (letter.stage, letter.reason) == ("clean", reason)
            assert (letter.original_size, letter.headers) == (len(value), [])
            assert letter.topic == pipeline.topic("raw") and letter.offset is not None
            assert letter.original_bytes() == value or (key, letter.truncated) == (HUGE[0], True)
        assert 100_000 < len(by_key["m5"].original_bytes()) < len(HUGE[1])

        (alert_bytes,) = pipeline.read("alerts", 1)
        assert Alert.model_validate_json(alert_bytes).article_id == "good-1"
        assert worker.alive()
