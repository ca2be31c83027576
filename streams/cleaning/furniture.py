"""Furniture learned from the stream: the lines and sentences an outlet repeats. Pure.

An outlet repeats its furniture in article after article (a share bar, a video placeholder,
"Read or Share this story: <link>"), with only a number, a name or a link changing; its
body sentences it writes once. So, per outlet, every paragraph and every sentence of a
multi-sentence paragraph becomes a template (`template`: casefolded, punctuation gone,
digits as "#", links as "url"), and the model counts in how many of the outlet's articles
each template occurs (its support). A template whose support reaches `THRESHOLD` is
furniture: removed as a whole paragraph, or cut out of its paragraph at its own bounds
(a sentence), the rest of the paragraph kept. Trafilatura's LRU of seen text segments and
the template-detection literature (count repeated blocks per site) work the same way.

What keeps a body sentence in:
- a template needs `MIN_WORDS` words and `MIN_LETTERS` letters ("Why?", "Dr.", a score),
  and a long sentence keeps its numbers (a formulaic body sentence changes them);
- a line alone needs `THRESHOLD`, a long sentence that reads as prose alone twice that (a
  story's background sentence recurs alone), lines that recur together as a block only
  `BLOCK_THRESHOLD` each (an advertising block recurs whole);
- an article that repeats one the outlet had lately (the same smallest template keys as one
  of the last `RECENT` articles: a copy, a correction) is not learned from;
- removals never take more than `MAX_REMOVED_SHARE` of an article's text: more looks like a
  syndicated copy, not furniture.

State: one bounded value per outlet (`OutletFurniture`), about 7 KB in memory and at most
`MAX_ENCODED_BYTES` (9 KB) encoded whatever the outlet writes (about 200 bytes when new). First
sightings are remembered as three bits in a two-generation Bloom filter (the last 1,200 to
2,400 templates: 20 to 40 articles); a template seen again is promoted into `SLOTS` counted
slots (two candidate slots per template; a newcomer wears down the weaker occupant, so what
recurs stays and what does not is replaced); counts halve every `HALF_LIFE_SECONDS`, so a
site's old furniture fades after a redesign. Keys are CRC-32s of the template: two
different templates share one about once in 4 billion pairs (a body sentence would need to
collide with one of an outlet's few dozen furniture templates: well under once per million
articles). Time is passed in (`now`), never read.

Partitioning (the worker): the state lives in a Faust table keyed by outlet and
co-partitioned with the raw topic, which is keyed by article id. Each raw partition's
owner therefore sees a sample of every outlet, 1/P of its articles with P partitions, and
learns its own copy of the outlet's model from that share. Nothing is re-keyed or shipped
across workers (no extra topic hop for the clean stage's hot path), at three costs:
warm-up takes P times as many of the outlet's articles (a template crosses the threshold
after `THRESHOLD` of the partition's own articles, about P x `THRESHOLD` overall); the
table holds P copies of each outlet's value; and rare furniture (in fewer than about 1 in
20 of the partition's share) is not learned. The threshold is counted in the partition's
own articles, so it does not change with P (support in a random 1/P sample is the same
evidence as support in the whole stream, only slower to collect); the shipped defaults
cover the warm-up of outlets they know. The alternative, re-keying the raw stream by
outlet so one partition learns all of an outlet's articles, warms up P times faster but
sends every article through one more topic and puts a busy outlet on one partition.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import sys
import zlib
from array import array
from collections import OrderedDict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import NamedTuple
from urllib.parse import urlsplit

#: Support (articles of the outlet, in this partition) from which a template is furniture.
THRESHOLD = 5
#: A long sentence that reads as prose needs this much support alone.
PROSE_THRESHOLD = 2 * THRESHOLD
#: Support enough for a template next to another with as much (a block that recurs whole).
BLOCK_THRESHOLD = 4
#: Templates with fewer words or letters are never learned: too many body lines look alike.
MIN_WORDS = 3
MIN_LETTERS = 10
#: A sentence of this many words or more, ending in a full stop, reads as prose.
PROSE_WORDS = 12
#: Longer segments are never templates (syndicated paragraphs, not furniture).
MAX_WORDS = 80
#: An article whose learned removals would take more than this share of its text keeps them.
MAX_REMOVED_SHARE = 0.5
#: Counted templates per outlet, and the Bloom filter of first sightings (bits, sightings).
SLOTS = 512
BLOOM_BITS = 16_384
GENERATION = 1_200
#: How many of an outlet's latest articles are remembered, to skip learning from a repeat.
RECENT = 16
SIGNATURE_KEYS = 3
#: Counts halve when this much time has passed since they last did (30 days).
HALF_LIFE_SECONDS = 30 * 86_400.0
#: The largest `OutletFurniture.encode()` can be, whatever the outlet writes (every byte of
#: its arrays random: base64 of what zlib cannot compress, and the JSON around it).
MAX_ENCODED_BYTES = 9_216
#: The rule recorded for a learned removal (`Removal.rule`, the metric's label).
RULE = "learned_template"

_VERSION = 1
_URL = re.compile(r"(?:https?://|www\.)\S+|\b[\w-]+(?:\.[\w-]+)*\.[a-z]{2,6}/\S*", re.IGNORECASE)
# Where one sentence ends (group 1 starts) and the next begins (with a capital or a digit).
_SENTENCE_END = re.compile(r"[.!?][\"')\]]*(\s+)(?=[\"'(\[]?[A-Z0-9])")
_HASHES = re.compile(rb"#+")


def _key_table() -> bytes:
    """ASCII letters lowercased, other ASCII punctuation to spaces; digits and "#" kept."""
    table = bytearray(range(256))
    for byte in range(128):
        char = chr(byte)
        if char.isalpha():
            table[byte] = ord(char.lower())
        elif not char.isdigit() and char != "#":
            table[byte] = ord(" ")
    return bytes(table)


_KEY = _key_table()
_DIGITS_MASKED = bytes.maketrans(b"0123456789", b"#" * 10)
_HALVE = bytes(count // 2 for count in range(256))
_BIT_MASK = BLOOM_BITS - 1


def template(text: str) -> bytes:
    """The template a line or sentence is an instance of: what stays when a number or link
    changes; a paragraph's is its sentences' joined. Also a template's own template (the
    shipped defaults are stored in this form).

    Numbers are masked in short sentences only: furniture with a changing number is short
    ("Hide Caption 17 of 37"); a long sentence whose numbers change is a formulaic body
    sentence ("Air defences shot down 23 drones overnight"), which must recur verbatim.
    """
    parts = _sentences(text)
    return b" ".join(map(_template, parts)) if len(parts) > 1 else _template(text)


def _template(sentence: str) -> bytes:
    if "/" in sentence or "www." in sentence:
        sentence = _URL.sub(" url ", sentence)
    words = sentence.encode("utf-8", "replace").translate(_KEY).split()
    key = b" ".join(words)
    if len(words) >= PROSE_WORDS:
        return key
    # Masking digits changes no word boundary (a digit is never a space), so the short
    # sentence's key is the long one's with its digits masked: one translation, one split.
    key = key.translate(_DIGITS_MASKED)
    return _HASHES.sub(b"#", key) if b"##" in key else key


@dataclass(slots=True)
class OutletFurniture:
    """One outlet's learned furniture (see the module's docstring): bounded, JSON bytes."""

    recent_bits: bytearray
    older_bits: bytearray
    sightings: int
    keys: array[int]
    counts: bytearray
    recent: array[int]
    articles: int = 0
    halved_at: float | None = None

    @classmethod
    def new(cls) -> OutletFurniture:
        return cls(
            recent_bits=bytearray(BLOOM_BITS // 8),
            older_bits=bytearray(BLOOM_BITS // 8),
            sightings=0,
            keys=array("I", bytes(4 * SLOTS)),
            counts=bytearray(SLOTS),
            recent=array("I"),
        )

    def support(self, key: int) -> int:
        """In how many of the outlet's articles the template keyed `key` occurred (0: unknown)."""
        first, second = _slots(key)
        if self.keys[first] == key:
            return self.counts[first]
        return self.counts[second] if self.keys[second] == key else 0

    def copy(self) -> OutletFurniture:
        return OutletFurniture(
            bytearray(self.recent_bits),
            bytearray(self.older_bits),
            self.sightings,
            array("I", self.keys),
            bytearray(self.counts),
            array("I", self.recent),
            self.articles,
            self.halved_at,
        )

    def encode(self) -> bytes:
        """JSON bytes, at most MAX_ENCODED_BYTES (the arrays compressed, then base64)."""
        return json.dumps(
            {
                "v": _VERSION,
                "articles": self.articles,
                "halved_at": self.halved_at,
                "sightings": self.sightings,
                "bloom": _packed(bytes(self.recent_bits + self.older_bits), compress=True),
                "keys": _packed(_little_endian(self.keys), compress=True),
                "counts": _packed(bytes(self.counts), compress=True),
                "recent": _packed(_little_endian(self.recent)),
            },
            separators=(",", ":"),
        ).encode()

    @classmethod
    def decode(cls, data: bytes | str | None) -> OutletFurniture:
        """The state `encode` wrote; a fresh one for anything else (another version, damage):
        the model then relearns the outlet, which costs a warm-up, never an article."""
        try:
            return _decoded(json.loads(data)) if data else cls.new()
        except (ValueError, TypeError, KeyError, zlib.error, binascii.Error):
            return cls.new()


def _decoded(value: dict[str, object]) -> OutletFurniture:
    if value["v"] != _VERSION:
        raise ValueError("another version")
    bloom = _unpacked(value["bloom"], compressed=True)
    keys = _native(_unpacked(value["keys"], compressed=True))
    counts = bytearray(_unpacked(value["counts"], compressed=True))
    recent = _native(_unpacked(value["recent"]))
    if len(bloom) != BLOOM_BITS // 4 or len(keys) != SLOTS or len(counts) != SLOTS:
        raise ValueError("another size")
    halved_at = value["halved_at"]
    return OutletFurniture(
        recent_bits=bytearray(bloom[: BLOOM_BITS // 8]),
        older_bits=bytearray(bloom[BLOOM_BITS // 8 :]),
        sightings=int(str(value["sightings"])),
        keys=keys,
        counts=counts,
        recent=recent[-RECENT:],
        articles=int(str(value["articles"])),
        halved_at=None if halved_at is None else float(str(halved_at)),
    )


def _packed(data: bytes, compress: bool = False) -> str:
    return base64.b64encode(zlib.compress(data, 1) if compress else data).decode("ascii")


def _unpacked(text: object, compressed: bool = False) -> bytes:
    data = base64.b64decode(str(text), validate=True)
    return zlib.decompress(data) if compressed else data


def _little_endian(values: array[int]) -> bytes:
    if sys.byteorder == "little":
        return values.tobytes()
    swapped = array("I", values)
    swapped.byteswap()
    return swapped.tobytes()


def _native(data: bytes) -> array[int]:
    values = array("I", data)
    if sys.byteorder != "little":
        values.byteswap()
    return values


def _slots(key: int) -> tuple[int, int]:
    first = key & (SLOTS - 1)
    second = (key >> 8) & (SLOTS - 1)
    return first, second if second != first else first ^ 1


class Segment(NamedTuple):
    """A paragraph or a sentence of one, with its template's key (0: never a template) and
    the template's length in words."""

    text: str
    key: int = 0
    words: int = 0

    def prose(self) -> bool:
        """Long and ending like a sentence: what a story's background line looks like."""
        return self.words >= PROSE_WORDS and self.text.rstrip("\"')]")[-1:] in (".", "!", "?")


class Paragraph(NamedTuple):
    """A paragraph as the model sees it: whole, and its sentences when it has several."""

    whole: Segment
    sentences: tuple[Segment, ...] = ()


def paragraphs(texts: Sequence[str]) -> list[Paragraph]:
    """Each paragraph with its templates' keys, computed once for learning and removing.

    Each sentence is templated once; the paragraph's template is theirs joined (`template`).
    A paragraph longer than MAX_WORDS is never a template, nor are the sentences in its
    middle: furniture glued to a paragraph sits at its edges (a share bar before the first
    sentence, a link after the last), and templating the rest would cost time for nothing.
    """
    out = []
    for text in texts:
        parts = _sentences(text)
        if len(parts) == 1:
            out.append(Paragraph(_segment(text, _template(text))))
        elif text.count(" ") >= MAX_WORDS:
            out.append(Paragraph(Segment(text), _edges(parts)))
        else:
            keys = [_template(part) for part in parts]
            sentences = tuple(map(_segment, parts, keys))
            out.append(Paragraph(_segment(text, b" ".join(keys)), sentences))
    return out


def _edges(parts: list[str]) -> tuple[Segment, ...]:
    """A long paragraph's sentences: the first and the last templated, the others not."""
    last = len(parts) - 1
    return tuple(
        _segment(part, _template(part)) if index in (0, last) else Segment(part)
        for index, part in enumerate(parts)
    )


def _sentences(text: str) -> list[str]:
    parts = []
    start = 0
    for end in _SENTENCE_END.finditer(text):
        parts.append(text[start : end.start(1)])
        start = end.end(1)
    parts.append(text[start:])
    return parts


def _segment(text: str, key: bytes) -> Segment:
    words = key.count(b" ") + 1
    if not MIN_WORDS <= words <= MAX_WORDS or len(key) - words + 1 < MIN_LETTERS:
        return Segment(text)  # never a template
    return Segment(text, zlib.crc32(key) or 1, words)


def _keys(article: Sequence[Paragraph]) -> set[int]:
    keys = {paragraph.whole.key for paragraph in article}
    keys.update(segment.key for paragraph in article for segment in paragraph.sentences)
    keys.discard(0)
    return keys


def learn(
    state: OutletFurniture | None, article: Sequence[Paragraph], now: float
) -> OutletFurniture:
    """The outlet's state after one more of its articles (`now`: POSIX seconds).

    Each template counts once per article. A repeat of a recent article is not counted:
    twice the same story is not evidence of furniture.
    """
    state = state.copy() if state is not None else OutletFurniture.new()
    _age(state, now)
    keys = _keys(article)
    signature = _signature(state, keys)
    if signature and signature in state.recent:
        return state
    for key in keys:
        _count(state, key)
    state.articles += 1
    if signature:
        state.recent.append(signature)
        del state.recent[:-RECENT]
    return state


def _age(state: OutletFurniture, now: float) -> None:
    if state.halved_at is None:
        state.halved_at = now
    elif now - state.halved_at >= HALF_LIFE_SECONDS:
        state.counts = bytearray(state.counts.translate(_HALVE))
        state.halved_at = now


def _signature(state: OutletFurniture, keys: set[int]) -> int:
    """What a copy of the article would share: its three smallest template keys (a MinHash)
    that are not counted furniture yet.

    Two copies share them; two different articles share them only when all three fall on
    furniture both carry that the model does not know yet.
    """
    fresh = [key for key in keys if not state.support(key)]
    if len(fresh) < SIGNATURE_KEYS:
        return 0
    smallest = sorted(fresh)[:SIGNATURE_KEYS]  # for an article's few dozen keys, quicker than heapq
    return zlib.crc32(b"".join(key.to_bytes(4, "little") for key in smallest)) or 1


def _count(state: OutletFurniture, key: int) -> None:
    """One more article with this template: count it if counted, else note a sighting."""
    first, second = _slots(key)
    keys, counts = state.keys, state.counts
    for slot in (first, second):
        if keys[slot] == key and counts[slot]:
            counts[slot] = min(counts[slot] + 1, 255)
            return
    if _sighted(state, key):
        weaker = first if counts[first] <= counts[second] else second
        if counts[weaker] <= 2:
            keys[weaker], counts[weaker] = key, 2  # seen before: this is its second article
        else:
            counts[weaker] -= 1


def _sighted(state: OutletFurniture, key: int) -> bool:
    """Whether the template was seen lately (then True); else remember that it was."""
    a, b, c = key & _BIT_MASK, (key >> 9) & _BIT_MASK, (key >> 18) & _BIT_MASK
    for bits in (state.recent_bits, state.older_bits):
        if bits[a >> 3] >> (a & 7) & bits[b >> 3] >> (b & 7) & bits[c >> 3] >> (c & 7) & 1:
            return True
    bits = state.recent_bits
    bits[a >> 3] |= 1 << (a & 7)
    bits[b >> 3] |= 1 << (b & 7)
    bits[c >> 3] |= 1 << (c & 7)
    state.sightings += 1
    if state.sightings >= GENERATION:
        state.older_bits, state.recent_bits = state.recent_bits, bytearray(BLOOM_BITS // 8)
        state.sightings = 0
    return False


@dataclass(frozen=True, slots=True)
class LearnedRemoval:
    """A removal by the learned model, for `--explain`: what, as which template, how often."""

    text: str
    template: str
    support: int
    default: bool = False  # the template came with the package, not from this outlet's stream


Defaults = Mapping[int, tuple[int, str]]


def remove(
    state: OutletFurniture | None, article: Sequence[Paragraph], defaults: Defaults | None = None
) -> tuple[list[str], list[LearnedRemoval]]:
    """The paragraphs without the furniture whose support reached the threshold, and what went.

    A furniture paragraph goes whole; furniture sentences are cut out of their paragraph.
    `defaults`: templates known before the stream (None: the shipped ones; {}: none).
    """
    lookup = _Support(state, shipped_defaults() if defaults is None else defaults, _keys(article))
    if not lookup.found:
        return [paragraph.whole.text for paragraph in article], []
    kept: list[str] = []
    removed: list[LearnedRemoval] = []
    wholes = [paragraph.whole for paragraph in article]
    for index, paragraph in enumerate(article):
        if paragraph.whole.key in lookup.found and lookup.furniture(
            paragraph.whole, _around(wholes, index)
        ):
            removed.append(lookup.removal(paragraph.whole))
            continue
        kept_sentences = _kept_sentences(paragraph, lookup, removed)
        if kept_sentences:
            kept.append(" ".join(kept_sentences))
    total = sum(len(paragraph.whole.text) for paragraph in article)
    if sum(len(r.text) for r in removed) > MAX_REMOVED_SHARE * total:
        return [paragraph.whole.text for paragraph in article], []
    return kept, removed


def _kept_sentences(
    paragraph: Paragraph, lookup: _Support, removed: list[LearnedRemoval]
) -> list[str]:
    sentences = paragraph.sentences
    if not sentences:
        return [paragraph.whole.text]
    cut = [
        index
        for index, sentence in enumerate(sentences)
        if sentence.key in lookup.found and lookup.furniture(sentence, _around(sentences, index))
    ]
    if not cut:
        return [paragraph.whole.text]
    removed.extend(lookup.removal(sentences[index]) for index in cut)
    return [sentence.text for index, sentence in enumerate(sentences) if index not in cut]


def _around(segments: Sequence[Segment], index: int) -> list[Segment]:
    return [segments[near] for near in (index - 1, index + 1) if 0 <= near < len(segments)]


class _Support:
    """The article's templates with support enough to matter (the outlet's own count, or the
    shipped default's, whichever is higher): most articles have none, and are done at once."""

    def __init__(self, state: OutletFurniture | None, defaults: Defaults, keys: set[int]) -> None:
        self.found: dict[int, tuple[int, bool]] = {}
        for key in keys:
            own = state.support(key) if state is not None else 0
            default = defaults[key][0] if key in defaults else 0
            if max(own, default) >= BLOCK_THRESHOLD:
                self.found[key] = (own, False) if own >= default else (default, True)
        self.defaults = defaults

    def of(self, segment: Segment) -> int:
        return self.found[segment.key][0] if segment.key in self.found else 0

    def furniture(self, segment: Segment, neighbours: Iterable[Segment]) -> bool:
        """Support enough alone, or enough for a block: lines that recur together are rarely
        body, a line that recurs alone may be (a background sentence a story repeats)."""
        support = self.of(segment)
        if support >= THRESHOLD and (support >= PROSE_THRESHOLD or not segment.prose()):
            return True
        return support >= BLOCK_THRESHOLD and any(self.of(near) for near in neighbours)

    def removal(self, segment: Segment) -> LearnedRemoval:
        support, default = self.found[segment.key]
        shown = self.defaults[segment.key][1] if default else template(segment.text).decode()
        return LearnedRemoval(segment.text, shown, support, default)


DEFAULTS_FILE = "furniture_defaults.json"


@cache
def shipped_defaults() -> dict[int, tuple[int, str]]:
    """The templates learned offline (bench/furniture_defaults.py), by key: (support, text).

    They apply to every outlet from its first article: the cold start.
    """
    text = resources.files(__package__).joinpath(DEFAULTS_FILE).read_text(encoding="utf-8")
    return {
        zlib.crc32(entry["template"].encode()) or 1: (int(entry["support"]), entry["template"])
        for entry in json.loads(text)["templates"]
    }


def outlet_key(url: str | None, source: str | None) -> str:
    """Whose furniture an article carries: the site of its URL, else its source, else ""."""
    if url and (host := _host(url)):
        return host
    return (source or "").strip().lower()


def _host(url: str) -> str:
    try:
        return (urlsplit(url.strip()).hostname or "").removeprefix("www.")
    except ValueError:  # not a URL ("A://[" is an unclosed IPv6 address)
        return ""


class Outlets:
    """Many outlets' states in one process (`newsradar process`), the least recently used
    dropped beyond `limit`: 10,000 outlets take about 74 MB (bench/clean_speed.py)."""

    def __init__(self, limit: int = 10_000) -> None:
        self.limit = limit
        self._states: OrderedDict[str, OutletFurniture] = OrderedDict()

    def get(self, outlet: str) -> OutletFurniture | None:
        state = self._states.get(outlet)
        if state is not None:
            self._states.move_to_end(outlet)
        return state

    def put(self, outlet: str, state: OutletFurniture) -> None:
        self._states[outlet] = state
        self._states.move_to_end(outlet)
        while len(self._states) > self.limit:
            self._states.popitem(last=False)

    def __len__(self) -> int:
        return len(self._states)
