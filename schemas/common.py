"""Types shared by every record on the wire."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict
from pydantic.fields import FieldInfo


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


M = TypeVar("M", bound=BaseModel)
_PLANS: dict[type[BaseModel], tuple[tuple[str, FieldInfo], ...] | None] = {}


def construct(cls: type[M], **values: Any) -> M:
    """`cls.model_construct(**values)` for already validated values, the same instance in a
    fraction of the time: pydantic's general path looks up aliases and validation aliases
    for every field on every call, and the alert stage builds a story and an alert for
    most matches. Models with aliases, a post-init or extra fields allowed take pydantic's."""
    if cls not in _PLANS:
        _PLANS[cls] = _plan(cls)
    plan = _PLANS[cls]
    if plan is None:
        return cls.model_construct(**values)
    fields: dict[str, Any] = {}
    for name, field in plan:
        if name in values:
            fields[name] = values[name]
        elif not field.is_required():
            fields[name] = field.get_default(call_default_factory=True, validated_data=fields)
    made = cls.__new__(cls)
    object.__setattr__(made, "__dict__", fields)
    object.__setattr__(made, "__pydantic_fields_set__", values.keys() & fields.keys())
    object.__setattr__(made, "__pydantic_extra__", None)
    object.__setattr__(made, "__pydantic_private__", None)
    return made


def _plan(cls: type[BaseModel]) -> tuple[tuple[str, FieldInfo], ...] | None:
    if cls.__pydantic_post_init__ or cls.__pydantic_root_model__:
        return None
    if cls.model_config.get("extra") == "allow":
        return None
    fields = tuple(cls.__pydantic_fields__.items())
    if any(f.alias is not None or f.validation_alias is not None for _, f in fields):
        return None
    return fields
