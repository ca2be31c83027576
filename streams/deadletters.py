"""Turn a rejected record into a DeadLetter that keeps the original bytes. Pure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from schemas import DeadLetter
from schemas.deadletter import encode_original
from streams.rejection import Rejected


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a record was read from."""

    topic: str | None = None
    partition: int | None = None
    offset: int | None = None
    key: bytes | None = None


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
    original, encoding = encode_original(value or b"")
    key = origin.key.decode("utf-8", "replace") if origin.key is not None else None
    return DeadLetter(
        stage=stage,
        reason=rejected.reason,
        detail=rejected.detail,
        exception_type=exception_type,
        original=original,
        original_encoding=encoding,
        key=key,
        topic=origin.topic,
        partition=origin.partition,
        offset=origin.offset,
        failed_at=now,
    )
