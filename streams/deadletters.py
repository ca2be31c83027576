"""Dead letters: build one from a refused record, and read them back for a person or a replay.

Pure: no Kafka client here. `dead_letter` is what `streams/stage.py` sends for every record
a stage refuses; the rest serves `newsradar deadletters` and `newsradar replay`.
"""

from __future__ import annotations

import base64
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from pydantic import BaseModel

from schemas import DeadLetter
from schemas.common import UtcDatetime
from schemas.deadletter import encode_headers, encode_original
from streams.rejection import Rejected
from streams.terminal import one_line

#: The header a replayed record carries: where its dead letter was (topic/partition/offset),
#: so a record that fails again says in its new dead letter that it was a replay.
REPLAYED_FROM = "newsradar-replayed-from"

PREVIEW_CHARS = 60

Headers = tuple[tuple[str, bytes | None], ...]


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a record was read from, and its key and headers."""

    topic: str | None = None
    partition: int | None = None
    offset: int | None = None
    key: bytes | None = None
    headers: Headers = ()


def kafka_headers(raw: Mapping[str, object] | Iterable[tuple[str, object]] | None) -> Headers:
    """Headers as a client or Faust hands them (a list of pairs, a mapping, or None) to
    (key, bytes) pairs; a text value (a Faust header set by hand) becomes UTF-8."""
    if not raw:
        return ()
    pairs = raw.items() if isinstance(raw, Mapping) else raw
    return tuple((str(key), _as_bytes(value)) for key, value in pairs)


def _as_bytes(value: object) -> bytes | None:
    if value is None or isinstance(value, bytes):
        return value
    return str(value).encode("utf-8")


def dead_letter(
    stage: str,
    rejected: Rejected,
    value: bytes | None,
    origin: Origin,
    *,
    now: datetime,
    exception_type: str | None = None,
) -> DeadLetter:
    """Everything needed to understand and replay what `stage` refused."""
    value = value or b""
    original, encoding = encode_original(value)
    key, key_encoding = encode_original(origin.key) if origin.key is not None else (None, "utf-8")
    return DeadLetter(
        stage=stage,
        reason=rejected.reason,
        detail=rejected.detail,
        exception_type=exception_type,
        original=original,
        original_encoding=encoding,
        original_size=len(value),
        key=key,
        key_encoding=key_encoding,
        headers=encode_headers(origin.headers),
        topic=origin.topic,
        partition=origin.partition,
        offset=origin.offset,
        failed_at=now,
    )


def fitted(letter: DeadLetter, value: bytes, max_bytes: int) -> bytes:
    """The letter's JSON in at most `max_bytes` where it can be: when the whole original
    does not fit (base64 and JSON escapes make it larger than the record was), only its
    start, `original_size` telling how much there was. A letter larger than the producer
    takes would fail to send, and the failure would stop the agent."""
    encoded = letter.model_dump_json().encode()
    keep = len(value)
    while len(encoded) > max_bytes and keep > 0:
        keep = int(keep * max_bytes / len(encoded) * 0.95)
        encoded = _with_start(letter, value[:keep]).model_dump_json().encode()
    return encoded


def _with_start(letter: DeadLetter, start: bytes) -> DeadLetter:
    """`letter` keeping only `start` of its original (text stays text: a character the cut
    split in two is left out)."""
    if letter.original_encoding == "utf-8":
        return letter.model_copy(update={"original": start.decode("utf-8", "ignore")})
    return letter.model_copy(update={"original": base64.b64encode(start).decode("ascii")})


@dataclass(frozen=True, slots=True)
class LetterFilter:
    """Which dead letters a person asked for: empty sets mean every stage, every reason."""

    stages: frozenset[str] = frozenset()
    reasons: frozenset[str] = frozenset()

    def wants(self, letter: DeadLetter) -> bool:
        return (not self.stages or letter.stage in self.stages) and (
            not self.reasons or letter.reason in self.reasons
        )


def position(topic: str | None, partition: int | None, offset: int | None) -> str:
    """`topic/partition/offset`, the way the CLI and the replay header name a record."""
    parts = (topic, partition, offset)
    return "/".join("?" if part is None or part == "" else str(part) for part in parts)


def preview(letter: DeadLetter, limit: int = PREVIEW_CHARS) -> str:
    """The start of the original on one line: enough to recognise it, escapes for bytes that
    are not UTF-8, control characters shown (never obeyed) as in every command's output."""
    return one_line(letter.original_bytes().decode("utf-8", "backslashreplace"), limit)


def replayed_from(letter: DeadLetter) -> str | None:
    """Where this letter's record had been dead-lettered before, if it was a replay."""
    for header in letter.headers:
        if header.key == REPLAYED_FROM:
            value = header.value_bytes()
            return value.decode("utf-8", "replace") if value is not None else None
    return None


def replay_headers(letter: DeadLetter, letter_position: str) -> list[tuple[str, bytes]]:
    """The original headers, with REPLAYED_FROM naming this letter (an older one replaced).

    A header without a value goes out as empty bytes: kafka-python sends no null values.
    """
    kept = [(key, value or b"") for key, value in letter.header_pairs() if key != REPLAYED_FROM]
    return [*kept, (REPLAYED_FROM, letter_position.encode())]


def count_by_reason(letters: Iterable[DeadLetter]) -> Counter[tuple[str, str]]:
    """How many letters per (stage, reason): the summary a person reads first."""
    return Counter((letter.stage, letter.reason) for letter in letters)


class Replayed(BaseModel):
    """A ledger record of `newsradar replay`: this dead letter was re-injected, acknowledged.

    Keyed by the letter's `partition/offset` on the dead-letter topic; `failed_at` tells the
    letter apart from a later one at the same place if the dead-letter topic is recreated.
    """

    failed_at: UtcDatetime
    replayed_at: UtcDatetime
    stage: str
    reason: str
    to: str = ""


def ledger_key(partition: int, offset: int) -> str:
    return f"{partition}/{offset}"


def was_replayed(ledger: dict[str, Replayed], key: str, letter: DeadLetter) -> bool:
    """True when this very letter (not an older one at the same place) was replayed."""
    entry = ledger.get(key)
    return entry is not None and entry.failed_at == letter.failed_at


def replay_topic(letter: DeadLetter, to: str | None, input_topics: dict[str, str]) -> str | None:
    """Where a letter's record goes back: --to, else where it was read from, else the input
    topic of the stage that refused it (letters from before topics were recorded)."""
    return to or letter.topic or input_topics.get(letter.stage)
