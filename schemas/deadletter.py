"""What a stage could not process, kept with the reason (topic news.deadletter)."""

from __future__ import annotations

import base64
from typing import Literal

from pydantic import Field

from schemas.common import Record, UtcDatetime


class DeadLetter(Record):
    """The original bytes of a record a stage refused, and why, so it can be replayed."""

    schema_version: Literal[1] = 1
    stage: str
    reason: str = Field(description="A short code from a small fixed set, e.g. invalid_json.")
    detail: str = Field(default="", description="Human-readable explanation.")
    exception_type: str | None = None
    original: str = Field(description="The original value: UTF-8 text, or base64 of the bytes.")
    original_encoding: Literal["utf-8", "base64"] = "utf-8"
    key: str | None = None
    topic: str | None = None
    partition: int | None = None
    offset: int | None = None
    failed_at: UtcDatetime

    def original_bytes(self) -> bytes:
        """The bytes exactly as they arrived."""
        if self.original_encoding == "base64":
            return base64.b64decode(self.original)
        return self.original.encode("utf-8")


def encode_original(value: bytes) -> tuple[str, Literal["utf-8", "base64"]]:
    """Keep readable input readable; anything else survives as base64."""
    try:
        return value.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return base64.b64encode(value).decode("ascii"), "base64"
