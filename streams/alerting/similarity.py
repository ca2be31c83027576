"""Near-duplicate fingerprints: one-permutation MinHash over word shingles, banded for LSH. Pure.

Why not a MinHash with 64 hash functions: in pure Python that is 64 hashes per shingle,
milliseconds per article. One-permutation hashing (Li, Owen & Zhang, NIPS 2012) hashes each
shingle once, uses the hash's top bits to pick one of `BINS` bins and keeps the smallest
remainder per bin; empty bins borrow from the next filled bin (densification, Shrivastava &
Li, ICML 2014). The fraction of equal bins estimates the Jaccard similarity of the two
shingle sets, like a classic MinHash signature. A shingle's hash mixes the crc32 of its
three words (numpy, over the whole text at once): crc32 is stable across processes and
Python versions (unlike `hash()`), which matters because signatures live in the changelog.
"""

from __future__ import annotations

import re
import zlib
from operator import eq

import numpy as np

_WORD = re.compile(r"\w+")
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

Signature = tuple[int, ...]
#: Only a text's start is fingerprinted: 5 times the longest article of the dev corpus (19 kB),
#: so real articles are read whole, while a 2 MB hostile one costs 70 ms rather than 1.4 s.
MAX_SIGNATURE_CHARS = 100_000


#: Word hashes already computed: news reuses its words, and a dict lookup is a fifth of a
#: crc32 of the word's bytes. Cleared when it holds this many words (bounded memory).
_WORD_CACHE_SIZE = 200_000
_word_hashes: dict[str, int] = {}
# Odd multipliers that mix a shingle's three word hashes into one (positions differ), then
# Knuth's multiplicative hash spreads it over the 32 bits the bins are cut from.
_FIRST, _SECOND, _MIX = np.uint64(0x85EBCA77), np.uint64(0xC2B2AE3D), np.uint64(0x9E3779B1)
_LOW32 = np.uint64(0xFFFFFFFF)


def _word_hash(word: str) -> int:
    found = _word_hashes.get(word)
    if found is None:
        if len(_word_hashes) >= _WORD_CACHE_SIZE:
            _word_hashes.clear()
        found = _word_hashes[word] = zlib.crc32(word.encode("utf-8"))
    return found


def _shingle_hashes(text: str) -> np.ndarray:
    """A 32-bit hash per word 3-gram of the casefolded text (one per word if fewer)."""
    words = _WORD.findall(text[:MAX_SIGNATURE_CHARS].casefold())
    hashes = np.fromiter(map(_word_hash, words), dtype=np.uint64, count=len(words))
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
    """One short key per band: two texts sharing any band are candidate near-duplicates."""
    if not sig:
        return []
    rows = BAND_ROWS
    return [
        f"{band}:{_band_mix(sig[band * rows : (band + 1) * rows]):08x}" for band in range(BANDS)
    ]


def _band_mix(values: Signature) -> int:
    mixed = 0
    for value in values:
        mixed = ((mixed ^ value) * 0x01000193 + 0x9E3779B9) & 0xFFFFFFFF
    return mixed
