"""Bytes on a topic to a validated record, a record to bytes a producer can send, or the
reason it is not one. Pure."""

from __future__ import annotations

import codecs
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from streams.rejection import Rejected

M = TypeVar("M", bound=BaseModel)

MAX_DETAIL_CHARS = 500
#: What Windows tools (Notepad, PowerShell, Excel) put first in a UTF-8 file.
UTF8_BOM = codecs.BOM_UTF8
#: What a record takes of a producer request besides its key and value: the batch header
#: and the record's framing (aiokafka and kafka-python count 61 + 21 bytes) and its headers.
FRAMING_BYTES = 1024


def without_bom(data: bytes) -> bytes:
    """`data` without a leading UTF-8 byte-order mark: it marks the encoding, it is no part
    of the JSON, text or HTML after it, and JSON parsers refuse it. Every reader of input
    (files, stdin, HTTP bodies, fetched pages, records) drops it here."""
    return data[len(UTF8_BOM) :] if data.startswith(UTF8_BOM) else data


def decode(model: type[M], value: bytes | None) -> M | Rejected:
    """Validate JSON bytes as `model`; bad input becomes a Rejected with a fixed-set reason."""
    value = without_bom(value or b"")  # a file saved on Windows, or a line of files `cat`ed
    if not value.strip():
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


def too_large(
    value: bytes, key: bytes | None, max_request_bytes: int, what: str
) -> Rejected | None:
    """Why a producer with this request limit cannot send the record, or None if it can.

    A producer refuses a larger record with an exception. A clean article is about as large
    as the text it came from, so an input within the character limit can still make one too
    large (multi-byte text, JSON escapes): `too_large_to_publish` then says so, with the
    sizes, and the input's dead letter can be replayed once the limits are raised.
    """
    size = len(value) + len(key or b"") + FRAMING_BYTES
    if size <= max_request_bytes:
        return None
    return Rejected(
        "too_large_to_publish",
        f"the {what} would be {size:,} bytes with its key and framing, "
        f"more than the producer's request limit of {max_request_bytes:,} bytes",
    )
