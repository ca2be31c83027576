"""Near-duplicate fingerprints: one-permutation MinHash over word shingles, banded for LSH. Pure.

Why not a MinHash with 64 hash functions: in pure Python that is 64 hashes per shingle,
milliseconds per article. One-permutation hashing (Li, Owen & Zhang, NIPS 2012) hashes each
shingle once, uses the hash's top bits to pick one of `BINS` bins and keeps the smallest
remainder per bin; empty bins borrow from the next filled bin (densification, Shrivastava &
Li, ICML 2014). The fraction of equal bins estimates the Jaccard similarity of the two
shingle sets, like a classic MinHash signature. Words are cut and hashed in numpy over the
text's UTF-8 bytes at once (a regex over the text cost more than the rest together); the
hashes are fixed arithmetic, stable across processes and Python versions (unlike `hash()`),
which matters because signatures live in the changelog.
"""

from __future__ import annotations

import struct
from operator import eq

import numpy as np

SHINGLE_WORDS = 3
BINS = 64
_BIN_SHIFT = 26  # 32-bit hash: the top 6 bits pick the bin, the low 26 bits are the value
_VALUE_MASK = (1 << _BIN_SHIFT) - 1
_EMPTY = 1 << _BIN_SHIFT  # larger than any value
_BORROW_STEP = 1 << 27  # keeps a borrowed value distinct from a bin's own value
#: LSH banding: 21 bands of 3 bins. Pairs with Jaccard 0.5 share a band with p≈0.94, 0.3
#: with p≈0.44, 0.1 with p≈0.02: candidates are then checked against `similarity`.
BAND_ROWS = 3
BANDS = BINS // BAND_ROWS
_BAND_VALUES = struct.Struct(f">{BANDS}I")  # each band's mixed value, 32 bits

Signature = tuple[int, ...]
#: Only a text's start is fingerprinted: 5 times the longest article of the dev corpus (19 kB),
#: so real articles are read whole, while a 2 MB hostile one costs 70 ms rather than 1.4 s.
MAX_SIGNATURE_CHARS = 100_000


#: Word characters by byte of the lower-cased UTF-8 text: ASCII letters, digits, "_", and
#: every byte of a multi-byte character (Cyrillic, accents) except those of the Latin-1
#: symbols (C2 xx: no-break space, guillemets) and general punctuation (E2 80/81 xx: dashes,
#: curly quotes, ellipsis), which separate words as their ASCII cousins do. As a
#: `bytes.translate` table (1 for a word byte), which maps a text in one C pass where
#: indexing a numpy table by the bytes took several times as long.
_WORD_TABLE = bytes(
    1 if code >= 0x80 or chr(code) in "0123456789_abcdefghijklmnopqrstuvwxyz" else 0
    for code in range(256)
)
_LONGEST = 64  # a word's bytes past this are hashed with the last weight again
_BASE = 0x100000001B3  # odd, so it has an inverse modulo 2^64
#: Texts up to this many bytes hash through prefix sums (`_word_hashes`): base^i and its
#: inverse^i for every byte position, 1 MB together, built with numpy's wrapping products.
_PREFIX_BYTES = 1 << 16
_POWERS, _INVERSES = (
    np.cumprod(np.r_[np.uint64(1), np.full(_PREFIX_BYTES - 1, factor, dtype=np.uint64)])
    for factor in (_BASE, pow(_BASE, -1, 1 << 64))
)
_WEIGHTS = _POWERS[:_LONGEST]  # a byte's weight by its place in the word
# Odd multipliers that mix a shingle's three word hashes into one (positions differ), then
# Knuth's multiplicative hash spreads it over the 32 bits the bins are cut from.
_FIRST, _SECOND, _MIX = np.uint64(0x85EBCA77), np.uint64(0xC2B2AE3D), np.uint64(0x9E3779B1)
_LOW32 = np.uint64(0xFFFFFFFF)


def _word_hashes(text: str) -> np.ndarray:
    """A 64-bit polynomial hash of each word's bytes, in order: numpy over the whole text.

    A word's hash is the sum of its bytes times base^k, k its byte's place in the word
    (capped at `_LONGEST` - 1). As prefix sums: with S the running sum of byte_j base^j,
    a word from `start` to `end` hashes to (S[end] - S[start]) inverse^start, exactly
    (modulo 2^64, where the base has an inverse): one product and one running sum over the
    text instead of gathering every word byte with its weight. A text with a word longer
    than `_LONGEST` bytes, or longer than `_PREFIX_BYTES`, is hashed word byte by word byte.

    Masks are bool arrays and use methods, not numpy's functions: on an article's few
    thousand bytes a call's overhead is most of its cost.
    """
    encoded = text[:MAX_SIGNATURE_CHARS].lower().encode("utf-8")
    # Padded with a separator each side, so every word has a start and an end edge.
    padded = np.frombuffer(b"\0" + encoded.translate(_WORD_TABLE) + b"\0", dtype=bool)
    if not encoded.isascii():  # ASCII text has no separators among its multi-byte characters
        padded = _without_wide_separators(padded, np.frombuffer(encoded, dtype=np.uint8))
    edges = (padded[1:] != padded[:-1]).nonzero()[0]  # a word's first byte, one past its last
    if not len(edges):
        return np.empty(0, dtype=np.uint64)
    starts, ends = edges[0::2], edges[1::2]
    data = np.frombuffer(encoded, dtype=np.uint8)
    if len(data) < _PREFIX_BYTES and int((ends - starts).max()) <= _LONGEST:
        sums = np.zeros(len(data) + 1, dtype=np.uint64)
        np.cumsum(data * _POWERS[: len(data)], out=sums[1:])
        return (sums[ends] - sums[starts]) * _INVERSES[starts]
    lengths = ends - starts
    firsts = lengths.cumsum() - lengths  # where each word starts among the word bytes
    inside = padded[1:-1].nonzero()[0]  # each word byte's offset in `encoded`
    offsets = np.minimum(inside - starts.repeat(lengths), _LONGEST - 1)
    return np.add.reduceat(data[inside] * _WEIGHTS[offsets], firsts)


def _without_wide_separators(padded: np.ndarray, data: np.ndarray) -> np.ndarray:
    """The padded word mask with the bytes of Latin-1 symbols and general punctuation
    (C2 xx, E2 80 xx, E2 81 xx) marked as separators."""
    padded = padded.copy()
    word = padded[1:-1]  # a view: writes go to `padded`
    latin1 = (data[:-1] == 0xC2).nonzero()[0]
    word[latin1] = word[latin1 + 1] = False
    general = (data[:-2] == 0xE2).nonzero()[0]
    general = general[(data[general + 1] == 0x80) | (data[general + 1] == 0x81)]
    word[general] = word[general + 1] = word[general + 2] = False
    return padded


def _shingle_hashes(text: str) -> np.ndarray:
    """A 32-bit hash per word 3-gram of the lower-cased text (one per word if fewer)."""
    hashes = _word_hashes(text)
    hashes = (hashes ^ (hashes >> np.uint64(32))) & _LOW32
    if len(hashes) >= SHINGLE_WORDS:
        hashes = (hashes[:-2] * _FIRST + hashes[1:-1] * _SECOND + hashes[2:]) & _LOW32
    return (hashes * _MIX) & _LOW32


def signature(text: str) -> Signature:
    """BINS values; the empty tuple for a text without words (it matches nothing)."""
    mixed = _shingle_hashes(text)
    if not len(mixed):
        return ()
    mins = np.full(BINS, _EMPTY, dtype=np.uint64)
    np.minimum.at(mins, (mixed >> np.uint64(_BIN_SHIFT)).astype(np.intp), mixed & _VALUE_MASK)
    return _densified(mins.tolist())


def _densified(mins: list[int]) -> Signature:
    """Fill each empty bin from the next filled bin to its right, marked by the distance."""
    filled = [value for value in mins if value != _EMPTY]
    if len(filled) == BINS:
        return tuple(mins)
    out = list(mins)
    for index, value in enumerate(mins):
        if value != _EMPTY:
            continue
        distance = 1
        while mins[(index + distance) % BINS] == _EMPTY:
            distance += 1
        out[index] = mins[(index + distance) % BINS] + distance * _BORROW_STEP
    return tuple(out)


def similarity(first: Signature, second: Signature) -> float:
    """Estimated Jaccard similarity of the two texts' shingle sets, in [0, 1]."""
    if not first or not second:
        return 0.0
    return sum(map(eq, first, second)) / BINS


def band_hashes(sig: Signature) -> list[str]:
    """One short key per band: two texts sharing any band are candidate near-duplicates.

    Every matched article takes 21 of them: the mixing runs inline, and one `bytes.hex()`
    writes all the bands' digits, where a call and a format per band cost a third more.
    """
    if not sig:
        return []
    mixed = []
    for band in range(BANDS):
        value = 0
        for row in sig[band * BAND_ROWS : (band + 1) * BAND_ROWS]:
            value = ((value ^ row) * 0x01000193 + 0x9E3779B9) & 0xFFFFFFFF
        mixed.append(value)
    digits = _BAND_VALUES.pack(*mixed).hex()  # 8 hex digits a band
    return [f"{band}:{digits[8 * band : 8 * band + 8]}" for band in range(BANDS)]
