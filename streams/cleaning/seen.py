"""The clean stage's memory of recent articles, in fixed-size digests. Pure.

A dict of dedup keys costs about 550 bytes a key once Python's objects and Faust's
windowed-table bookkeeping are counted: half a gigabyte per million articles a day. Here
a sighting is 14 bytes in a shared `bytes` value: a 6-byte digest of the dedup key, when
it was last seen (seconds, u32) and a 4-byte hash of the record that passed first. The
keys are spread over `BUCKETS` buckets per partition; a bucket is one table value, so a
batch writes each bucket it touched once, and a lookup is one `bytes.find` in a few
hundred bytes. Sightings older than the window are dropped whenever their bucket is
written, and a bucket never holds more than `max_entries`: past it the oldest go first
(a duplicate may then pass, an article is never lost).

A 6-byte digest inside a bucket picked by two more bytes of the same hash: two different
articles collide with a chance of about n / 2^62 per lookup, once in billions of articles.
"""

from __future__ import annotations

import hashlib
import struct
import zlib
from dataclasses import dataclass

ENTRY = struct.Struct(">6sII")  # digest, last seen (s since the epoch), origin hash
#: Buckets per partition: ~100 sightings each at a million keys per partition a day.
BUCKETS = 8192
#: No origin (e.g. `newsradar process`): never equal to a record's own.
NO_ORIGIN = 0


@dataclass(frozen=True, slots=True)
class Sighting:
    """One dedup key, as the memory finds it: the bucket it lives in and its digest."""

    bucket: int
    digest: bytes


@dataclass(frozen=True, slots=True)
class Earlier:
    """The sighting a new one duplicates."""

    last_seen: int


def sighting(key: str, buckets: int = BUCKETS) -> Sighting:
    digest = hashlib.blake2b(key.encode("utf-8"), digest_size=8).digest()
    return Sighting(bucket=int.from_bytes(digest[6:], "big") % buckets, digest=digest[:6])


def origin_hash(origin: str) -> int:
    """The record that passed first, as 4 bytes; 0 is kept for "none"."""
    return (zlib.crc32(origin.encode("utf-8")) or 1) if origin else NO_ORIGIN


def remember(
    bucket: bytes,
    seen: Sighting,
    *,
    now: float,
    window: float,
    origin: int = NO_ORIGIN,
    max_entries: int = 1024,
) -> tuple[bytes, Earlier | None]:
    """(the bucket to keep, the earlier sighting this one duplicates, or None when new).

    The window slides: a feed that re-delivers the same item every few minutes keeps it
    suppressed for as long as it does. `window` 0 turns the rule off. The record that
    passed first, delivered again (same non-zero `origin`), passes again: at-least-once
    delivery must not turn a crash between "remembered" and "committed" into a lost article.
    """
    if window <= 0:
        return bucket, None
    at = find(bucket, seen.digest)
    moment = int(now)
    if at >= 0:
        _, last_seen, first = ENTRY.unpack_from(bucket, at)
        if origin and first == origin:
            return bucket, None
        if abs(moment - last_seen) <= window:
            updated = ENTRY.pack(seen.digest, max(moment, last_seen), first)
            return bucket[:at] + updated + bucket[at + ENTRY.size :], Earlier(last_seen)
        bucket = bucket[:at] + bucket[at + ENTRY.size :]
    entry = ENTRY.pack(seen.digest, moment, origin)
    return _bounded(expire(bucket, now=moment, window=window) + entry, max_entries), None


def forget(bucket: bytes, digest: bytes) -> bytes:
    """The bucket without the digest's sighting (an article that was never published)."""
    at = find(bucket, digest)
    return bucket if at < 0 else bucket[:at] + bucket[at + ENTRY.size :]


def find(bucket: bytes, digest: bytes) -> int:
    """The offset of the digest's entry in the bucket, or -1."""
    at = bucket.find(digest)
    while at >= 0 and at % ENTRY.size:
        at = bucket.find(digest, at + 1)
    return at


def expire(bucket: bytes, *, now: int, window: float) -> bytes:
    """The bucket without the sightings at its front older than the window.

    New sightings are appended, so the front is the oldest; one slid forward by a repeat
    keeps its place and may shield older ones behind it for a while, which only delays
    their expiry (`max_entries` still bounds the bucket).
    """
    size, start = ENTRY.size, 0
    while start < len(bucket) and now - ENTRY.unpack_from(bucket, start)[1] > window:
        start += size
    return bucket[start:] if start else bucket


def _bounded(bucket: bytes, max_entries: int) -> bytes:
    """At most `max_entries`, the oldest dropped first."""
    size = ENTRY.size
    if len(bucket) <= max_entries * size:
        return bucket
    entries = sorted(
        (bucket[at : at + size] for at in range(0, len(bucket), size)),
        key=lambda entry: ENTRY.unpack(entry)[1],
    )
    return b"".join(entries[-max_entries:])
