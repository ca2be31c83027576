"""Types shared by every record on the wire."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict


def _to_utc_datetime(value: Any) -> Any:
    """Accept an ISO 8601 date or datetime, as UTC: a date is its midnight, a naive time is UTC."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value.strip())
    if isinstance(value, date) and not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day, tzinfo=UTC)
    if isinstance(value, datetime) and value.tzinfo is not None:
        try:
            value = value.astimezone(UTC)
        except OverflowError as error:  # 0001-01-01T00:00+01:00 is before year 1 in UTC
            raise ValueError("the time is out of range in UTC") from error
    elif isinstance(value, datetime):
        value = value.replace(tzinfo=UTC)
    return value


UtcDatetime = Annotated[datetime, BeforeValidator(_to_utc_datetime)]


class Record(BaseModel):
    """Base of every wire record: unknown fields are ignored so producers can run ahead."""

    model_config = ConfigDict(extra="ignore")


def short_hash(*parts: str) -> str:
    """A stable 20-hex-digit digest of the parts, used for derived ids."""
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8"))
    return digest.hexdigest()[:20]
