"""What a stage could not process, kept with the reason (topic news.deadletter)."""

from __future__ import annotations

import base64
from collections.abc import Iterable
from typing import Literal

from pydantic import BaseModel, Field

from schemas.common import Record, UtcDatetime

Encoding = Literal["utf-8", "base64"]


class Header(BaseModel):
    """One Kafka header of the refused record, kept so a replay sends it unchanged."""

    key: str
    value: str | None = Field(default=None, description="UTF-8 text, or base64 of the bytes.")
    encoding: Encoding = "utf-8"

    def value_bytes(self) -> bytes | None:
        return None if self.value is None else _decoded(self.value, self.encoding)


class DeadLetter(Record):
    """The original bytes of a record a stage refused, and why, so it can be replayed.

    `headers`, `key_encoding` and `original_size` have defaults (no headers, a UTF-8 key,
    size unknown), so a letter without them reads as well.
    """

    schema_version: Literal[1] = 1
    # Read leniently: a letter from a newer worker may name a stage or reason this one does
    # not know, and must still be shown and replayed. Writers use schemas/vocabulary.py.
    stage: str = Field(description="One of schemas.vocabulary.STAGES when written.")
    reason: str = Field(description="A short code from schemas.vocabulary.DeadLetterReason.")
    detail: str = Field(default="", description="Human-readable explanation.")
    exception_type: str | None = None
    original: str = Field(description="The original value: UTF-8 text, or base64 of the bytes.")
    original_encoding: Encoding = "utf-8"
    original_size: int | None = Field(
        default=None,
        description="Bytes of the original value. More than `original` holds when the whole"
        " did not fit in a dead letter: then `original` is only its start.",
    )
    key: str | None = Field(default=None, description="The original key, encoded like `original`.")
    key_encoding: Encoding = "utf-8"
    headers: list[Header] = Field(
        default_factory=list, description="The original record's Kafka headers, in order."
    )
    topic: str | None = None
    partition: int | None = None
    offset: int | None = None
    failed_at: UtcDatetime

    def original_bytes(self) -> bytes:
        """The bytes exactly as they arrived."""
        return _decoded(self.original, self.original_encoding)

    @property
    def truncated(self) -> bool:
        """True when `original` is only the start of the value (it cannot be replayed)."""
        return self.original_size is not None and self.original_size > len(self.original_bytes())

    def key_bytes(self) -> bytes | None:
        """The key exactly as it arrived."""
        return None if self.key is None else _decoded(self.key, self.key_encoding)

    def header_pairs(self) -> list[tuple[str, bytes | None]]:
        """The headers as Kafka clients take them."""
        return [(header.key, header.value_bytes()) for header in self.headers]


def encode_original(value: bytes) -> tuple[str, Encoding]:
    """Keep readable input readable; anything else survives as base64."""
    try:
        return value.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return base64.b64encode(value).decode("ascii"), "base64"


def encode_headers(pairs: Iterable[tuple[str, bytes | None]]) -> list[Header]:
    """Kafka headers as (key, value) pairs to Headers, each value readable where it can be."""
    headers = []
    for key, value in pairs:
        if value is None:
            headers.append(Header(key=key))
        else:
            text, encoding = encode_original(value)
            headers.append(Header(key=key, value=text, encoding=encoding))
    return headers


def _decoded(text: str, encoding: Encoding) -> bytes:
    return base64.b64decode(text) if encoding == "base64" else text.encode("utf-8")
