"""Bytes on a topic to a validated record, or the reason it is not one. Pure."""

from __future__ import annotations

from typing import TypeVar

from pydantic import BaseModel, ValidationError

from streams.rejection import Rejected

M = TypeVar("M", bound=BaseModel)

MAX_DETAIL_CHARS = 500


def decode(model: type[M], value: bytes | None) -> M | Rejected:
    """Validate JSON bytes as `model`; bad input becomes a Rejected with a fixed-set reason."""
    if value is None or not value.strip():
        return Rejected("empty_record", "the record has no value")
    try:
        return model.model_validate_json(value)
    except ValidationError as error:
        kinds = {item["type"] for item in error.errors()}
        reason = "invalid_json" if "json_invalid" in kinds else "invalid_schema"
        return Rejected(reason, _summary(error))


def _summary(error: ValidationError) -> str:
    parts = [f"{'.'.join(map(str, e['loc'])) or '<root>'}: {e['msg']}" for e in error.errors()]
    return "; ".join(parts)[:MAX_DETAIL_CHARS]
