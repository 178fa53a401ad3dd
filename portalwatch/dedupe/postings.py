"""Inverted index from key (a fingerprint, or a pair of them: `Prepared.keys`) to documents, as numpy arrays.

In memory (`Postings`), two levels: a large sorted `main` and a small sorted `delta` that takes new
documents and is merged into `main` when it grows past a quarter of it, so adding stays cheap and a
lookup is a binary search in each level, independent of the corpus size.

Saved (`SavedPostings`, memory-mapped), each distinct key once with where its documents start, and a
directory of buckets: the keys are spread evenly over their bits (`index_keys`), so a key's bucket is
its top bits, and a lookup reads one directory entry, the BUCKET_KEYS keys or so of the bucket, and the
key's range, instead of a binary search of keys larger than the processor's cache that misses it at
every step.
"""

from __future__ import annotations

from array import array

import numpy as np

from portalwatch.dedupe.fingerprints import KEY_BITS
from portalwatch.dedupe.kernels import saved_ranges, weigh_postings

BUCKET_KEYS = 8  # distinct keys per bucket of a saved directory, on average
_DOC_BITS = np.uint64(31)  # a (key, document) pair is sorted as one 64-bit value: keys have 33 bits
_DOC_MASK = np.uint64((1 << 31) - 1)
_MERGE_FLOOR = 200_000  # postings a delta may hold before it is merged, whatever the main size


def _empty() -> tuple[np.ndarray, np.ndarray]:
    return np.empty(0, dtype=np.uint64), np.empty(0, dtype=np.int32)


def _sorted(keys: np.ndarray, docs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Order by key, then document (one 64-bit value sorted in place)."""
    packed = keys.astype(np.uint64)
    packed <<= _DOC_BITS
    packed |= docs.astype(np.uint64)
    packed.sort()
    return packed >> _DOC_BITS, (packed & _DOC_MASK).astype(np.int32)


def _ranges(keys: np.ndarray, query: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Where each query key's postings start in `keys`, and how many there are."""
    if len(keys) == 0:
        return np.zeros(len(query), dtype=np.int64), np.zeros(len(query), dtype=np.int64)
    lo = np.searchsorted(keys, query, side="left")
    return lo, np.searchsorted(keys, query, side="right") - lo


class Lookup:
    """A query's postings in one `Postings`: how many documents hold each fingerprint, and reading them."""

    def __init__(self, size: int, levels: list[tuple[np.ndarray, np.ndarray, np.ndarray]]) -> None:
        self._size = size
        self._levels = levels  # (documents, first posting, postings) per level, oldest level first
        self.doc_freq = levels[0][2] if len(levels) == 1 else sum((n for _, _, n in levels), np.zeros(size, np.int64))

    def weigh(self, chosen: np.ndarray, offset: int, key_weights: np.ndarray,
              table: tuple[np.ndarray, np.ndarray]) -> None:
        """Add each `chosen` key's weight to every document holding it (numbered from `offset`) in `table`
        (a `kernels.candidate_table`)."""
        for level_docs, lo, n in self._levels:
            weigh_postings(level_docs, lo, n, chosen, offset, key_weights, *table)


class Postings:
    """(key, document) pairs in memory; documents are added in ascending id order."""

    def __init__(self, fps: np.ndarray | None = None, docs: np.ndarray | None = None) -> None:
        self._main = (fps, docs) if fps is not None and docs is not None else _empty()
        self._delta = _empty()
        self._pending_keys = array("Q")
        self._pending_docs = array("i")

    def __len__(self) -> int:
        return len(self._main[0]) + len(self._delta[0]) + len(self._pending_keys)

    def add(self, doc: int, keys: np.ndarray) -> None:
        """Index the document's distinct keys."""
        self._pending_keys.frombytes(keys.astype(np.uint64, copy=False).tobytes())
        self._pending_docs.extend([doc] * len(keys))

    def lookup(self, query: np.ndarray) -> Lookup:
        """Where the postings of each query fingerprint lie (a binary search per level, nothing read yet)."""
        self._settle()
        levels = [(docs, *_ranges(fps, query)) for fps, docs in (self._main, self._delta) if len(fps)]
        return Lookup(len(query), levels)

    def arrays(self) -> tuple[np.ndarray, np.ndarray]:
        """All postings as (keys, documents), merged into one sorted level."""
        self._settle()
        self._merge()
        return self._main

    def _settle(self) -> None:
        """Sort pending postings into the delta, or into the main level once the delta is large."""
        if not self._pending_keys:
            return
        pending = (np.frombuffer(self._pending_keys, dtype=np.uint64),
                   np.frombuffer(self._pending_docs, dtype=np.int32))
        into_main = len(self._delta[0]) + len(pending[0]) > max(_MERGE_FLOOR, len(self._main[0]) // 4)
        levels = [self._main, self._delta, pending] if into_main else [self._delta, pending]
        merged = _sorted(np.concatenate([f for f, _ in levels]), np.concatenate([d for _, d in levels]))
        if into_main:
            self._main, self._delta = merged, _empty()
        else:
            self._delta = merged
        self._pending_keys, self._pending_docs = array("Q"), array("i")

    def _merge(self) -> None:
        if len(self._delta[0]):
            self._main = _sorted(
                np.concatenate([self._main[0], self._delta[0]]), np.concatenate([self._main[1], self._delta[1]])
            )
            self._delta = _empty()


def bucket_bits(distinct: int) -> int:
    """How many top bits of a key number its bucket, for a part of `distinct` keys (BUCKET_KEYS a bucket)."""
    return min(max(int(distinct // BUCKET_KEYS).bit_length(), 0), KEY_BITS)


def bucket_starts(counts: np.ndarray) -> np.ndarray:
    """The directory: where each bucket starts, from how many keys each holds (one more entry than buckets)."""
    return np.concatenate(([0], np.cumsum(counts))).astype(np.int64)


def grouped(keys: np.ndarray, docs: np.ndarray) -> dict[str, np.ndarray]:
    """Sorted postings as a saved part keeps them: distinct keys, where each key's documents start (one
    more than the keys), the documents, and the directory of buckets (`bucket_starts`)."""
    first = np.flatnonzero(np.concatenate(([True], keys[1:] != keys[:-1]))) if len(keys) else np.empty(0, np.int64)
    distinct = keys[first]
    bits = bucket_bits(len(distinct))
    counts = np.bincount((distinct >> np.uint64(KEY_BITS - bits)).astype(np.int64), minlength=1 << bits)
    return {"keys": distinct, "starts": np.append(first, len(keys)).astype(np.int64), "docs": docs,
            "buckets": bucket_starts(counts)}


class SavedPostings:
    """Saved postings (`grouped` arrays, usually memory-mapped): looked up, never added to."""

    def __init__(self, arrays: dict[str, np.ndarray]) -> None:
        self._keys, self._starts, self._docs, self._buckets = (arrays[k] for k in ("keys", "starts", "docs", "buckets"))
        buckets = len(self._buckets) - 1
        if not (len(self._starts) == len(self._keys) + 1 and int(self._starts[-1]) == len(self._docs)
                and buckets >= 1 and buckets & (buckets - 1) == 0 and int(self._buckets[-1]) == len(self._keys)):
            raise ValueError("postings with columns of different lengths")
        self._shift = KEY_BITS - (buckets.bit_length() - 1)

    def __len__(self) -> int:
        return len(self._docs)

    def lookup(self, query: np.ndarray) -> Lookup:
        """Where the documents of each query key lie: its bucket in the directory, then the bucket's keys."""
        if len(self._keys) == 0:
            return Lookup(len(query), [])
        lo, count = saved_ranges(self._keys, self._starts, self._buckets, self._shift, query)
        return Lookup(len(query), [(self._docs, lo, count)])
