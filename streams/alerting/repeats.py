"""The articles a topic absorbed lately: one seen again is a repeat, whatever its story did. Pure.

At-least-once delivery repeats matches: the alert stage's own after a crash, and the
stages before it, which publish the same article's match again at a new offset after
theirs. The stories catch most repeats (the article is listed in its story), but not once
the story has expired, been evicted or listed its 50 articles: the repeat then founded the
story again and raised its alert id a second time. So each topic keeps the digests of the
last `CHUNKS * CHUNK` articles it absorbed, in a ring of chunks (one state key each,
8 bytes an article): an article found there is a repeat, whatever the stories say.

The topic's record, written last, counts what the ring holds. A worker killed while a
batch's writes go out can keep a chunk and lose that count; the count then starts the
next chunk afresh over digests it already held. So an article found in its story but not
in the ring is recorded again (streams/alerting/logic.py).
"""

from __future__ import annotations

import hashlib

from streams.alerting.state import Chunk, Overlay, TopicState, ring_key

#: Digests per chunk (8 KiB) and chunks per topic: a repeat is recognised for the topic's
#: last 16,384 articles, far more than a crash or a rebalance redelivers.
CHUNK = 1024
CHUNKS = 16
DIGEST_BYTES = 8


def digest(article_id: str) -> bytes:
    return hashlib.blake2b(article_id.encode("utf-8"), digest_size=DIGEST_BYTES).digest()


def absorbed(tx: Overlay, topic_id: str, topic: TopicState, article_id: str) -> bool:
    """True when the topic absorbed this article among its last CHUNKS * CHUNK."""
    wanted = digest(article_id)
    used = min(CHUNKS, -(-topic.absorbed // CHUNK))
    return any(_holds(tx.get(ring_key(topic_id, i)), wanted) for i in range(used))


def record(tx: Overlay, topic: TopicState, topic_id: str, article_id: str) -> TopicState:
    """Add the article to the ring; a full chunk's successor starts empty (the oldest go)."""
    count = topic.absorbed
    key = ring_key(topic_id, (count // CHUNK) % CHUNKS)
    chunk = tx.get(key) if count % CHUNK else None
    held = chunk.digests if isinstance(chunk, Chunk) else b""
    tx.put(key, Chunk(held + digest(article_id)))
    return topic.model_copy(update={"absorbed": count + 1})


def _holds(chunk: object, wanted: bytes) -> bool:
    if not isinstance(chunk, Chunk):
        return False
    digests = chunk.digests
    if len(digests) == CHUNK * DIGEST_BYTES:  # full, so never changed: a set of it, once
        held = chunk.members
        if held is None:
            held = frozenset(
                digests[i : i + DIGEST_BYTES] for i in range(0, len(digests), DIGEST_BYTES)
            )
            object.__setattr__(chunk, "members", held)  # a cache, not the chunk's value
        return wanted in held
    at = digests.find(wanted)
    while at >= 0 and at % DIGEST_BYTES:
        at = digests.find(wanted, at + 1)
    return at >= 0
