"""A record the producer cannot send: sized with the input limit, and named when it happens.

The worker's producers refuse a record over their request limit (Faust's
producer_max_request_size, 1,000,000 bytes) with an exception, which used to end as a dead
letter saying only `internal_error`. An article shorter than the clean stage's character
limit (2,000,000 then) could clean fine and then not be sendable.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from aiokafka.record.default_records import DefaultRecordBatchBuilder
from pydantic import ValidationError

from schemas import CleanArticle, RawArticle
from streams.cleaning.configure import clean_options
from streams.cleaning.logic import clean
from streams.codec import FRAMING_BYTES, too_large
from streams.rejection import Rejected
from streams.settings import CleaningSettings, KafkaSettings, Settings

NOW = datetime(2026, 11, 29, 12, tzinfo=UTC)
LIMIT = 1_000_000
SENTENCE = "Паромы на остров снова ходят после ремонта причала, сообщили в порту. "


def _article(chars: int) -> CleanArticle:
    return CleanArticle(id="a1", title="Паромы", text="x" * chars)


def encode_within(record: CleanArticle, key: bytes, limit: int) -> bytes | Rejected:
    """As the worker's publisher checks each record before it sends it."""
    value = record.model_dump_json().encode()
    return too_large(value, key, limit, type(record).__name__) or value


def test_a_record_within_the_limit_is_encoded_as_the_agents_encode_it():
    article = _article(1000)
    assert encode_within(article, b"a1", LIMIT) == article.model_dump_json().encode()


def test_a_record_over_the_limit_says_so_and_by_how_much():
    verdict = encode_within(_article(LIMIT), b"a1", LIMIT)
    assert isinstance(verdict, Rejected) and verdict.reason == "too_large_to_publish"
    assert "CleanArticle" in verdict.detail and f"{LIMIT:,}" in verdict.detail


@pytest.mark.parametrize("key", [b"", b"a1", b"k" * 300])
def test_what_is_accepted_the_producer_sends_and_what_is_not_it_would_refuse(key):
    """The margin covers what aiokafka adds to a record (batch header, framing, a header)."""
    empty = len(_article(0).model_dump_json().encode())
    largest = LIMIT - FRAMING_BYTES - len(key) - empty  # characters that still fit
    fits = encode_within(_article(largest), key, LIMIT)
    assert isinstance(fits, bytes)
    headers = [("newsradar-raw-origin", b"17:123456789")]
    assert DefaultRecordBatchBuilder.estimate_size_in_bytes(key, fits, headers) <= LIMIT
    assert isinstance(encode_within(_article(largest + 1), key, LIMIT), Rejected)


def test_an_article_within_the_input_limit_whose_clean_record_is_too_large_is_named():
    """Two bytes a character: under the character limit, over the request limit once clean."""
    options = clean_options(Settings().cleaning)
    text = SENTENCE * (options.max_input_chars // len(SENTENCE) - 1)
    raw = RawArticle(title="Паромы снова ходят", text=text)
    cleaned = clean(raw, ingested=NOW, options=options)
    assert isinstance(cleaned, CleanArticle)  # the clean stage takes it...
    verdict = encode_within(cleaned, cleaned.id.encode(), Settings().kafka.max_request_bytes)
    assert isinstance(verdict, Rejected) and verdict.reason == "too_large_to_publish"


def test_the_input_limit_is_no_longer_than_a_request_by_default():
    settings = Settings()
    assert settings.cleaning.max_input_chars <= settings.kafka.max_request_bytes == LIMIT


def test_an_input_limit_longer_than_a_request_is_refused_at_startup():
    with pytest.raises(ValidationError, match=r"MAX_INPUT_CHARS.*MAX_REQUEST_BYTES"):
        Settings(
            kafka=KafkaSettings(max_request_bytes=LIMIT),
            cleaning=CleaningSettings(max_input_chars=2_000_000),
        )
    raised = Settings(
        kafka=KafkaSettings(max_request_bytes=4 * LIMIT),
        cleaning=CleaningSettings(max_input_chars=2_000_000),
    )
    assert raised.cleaning.max_input_chars == 2_000_000  # raise both together
