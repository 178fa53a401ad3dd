"""Inverted index from key (a fingerprint, or a pair of them: `Prepared.keys`) to documents, as numpy arrays.

In memory (`Postings`), two levels: a large sorted `main` and a small sorted `delta` that takes new
documents and is merged into `main` when it grows past a quarter of it, so adding stays cheap and a
lookup is a binary search in each level, independent of the corpus size.

Saved (`SavedPostings`, memory-mapped), each distinct key once with where its documents start, and a
directory of every FENCE-th key: a lookup searches the directory, small enough to stay in the
processor's cache, then one block of FENCE keys per query key, instead of a binary search of keys
larger than the cache that misses it at every step.
"""

from __future__ import annotations

from array import array

import numpy as np

from portalwatch.dedupe.kernels import gather, saved_ranges

FENCE = 16  # distinct keys per block of a saved directory
_DOC_BITS = np.uint64(31)  # a (key, document) pair is sorted as one 64-bit value: keys have 33 bits
_DOC_MASK = np.uint64((1 << 31) - 1)
_MERGE_FLOOR = 200_000  # postings a delta may hold before it is merged, whatever the main size
_EMPTY_DOCS = np.empty(0, dtype=np.int32)
_EMPTY_WHICH = np.empty(0, dtype=np.intp)


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

    def read(self, chosen: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(documents read, which query fingerprint each was read for): every document of each `chosen`
        fingerprint (a boolean mask over the query's)."""
        read = [gather(level_docs, lo, n, chosen) for level_docs, lo, n in self._levels]
        if len(read) == 1:
            return read[0]
        return (np.concatenate([_EMPTY_DOCS, *(docs for docs, _ in read)]),
                np.concatenate([_EMPTY_WHICH, *(which for _, which in read)]))


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


def grouped(keys: np.ndarray, docs: np.ndarray) -> dict[str, np.ndarray]:
    """Sorted postings as a saved part keeps them: distinct keys, where each key's documents start (one
    more than the keys), the documents, and the directory of every FENCE-th key."""
    first = np.flatnonzero(np.concatenate(([True], keys[1:] != keys[:-1]))) if len(keys) else np.empty(0, np.int64)
    distinct = keys[first]
    return {"keys": distinct, "starts": np.append(first, len(keys)).astype(np.int64), "docs": docs,
            "fence": distinct[::FENCE].copy()}


class SavedPostings:
    """Saved postings (`grouped` arrays, usually memory-mapped): looked up, never added to."""

    def __init__(self, arrays: dict[str, np.ndarray]) -> None:
        self._keys, self._starts, self._docs, self._fence = (arrays[k] for k in ("keys", "starts", "docs", "fence"))
        if not (len(self._starts) == len(self._keys) + 1 and int(self._starts[-1]) == len(self._docs)
                and len(self._fence) == -(-len(self._keys) // FENCE)):
            raise ValueError("postings with columns of different lengths")

    def __len__(self) -> int:
        return len(self._docs)

    def lookup(self, query: np.ndarray) -> Lookup:
        """Where the documents of each query key lie: the directory, then one block of keys per query key."""
        if len(self._keys) == 0:
            return Lookup(len(query), [])
        lo, count = saved_ranges(self._keys, self._starts, self._fence, FENCE, query)
        return Lookup(len(query), [(self._docs, lo, count)])
