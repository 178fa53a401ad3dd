"""Inverted index from fingerprint to documents, as compact sorted numpy arrays.

Two levels: a large sorted `main` and a small sorted `delta` that takes new documents and is
merged into `main` when it grows past a quarter of it, so adding stays cheap and a lookup is a
binary search in each level, independent of the corpus size.
"""

from __future__ import annotations

from array import array

import numpy as np

_MERGE_FLOOR = 200_000  # postings a delta may hold before it is merged, whatever the main size
_EMPTY_DOCS = np.empty(0, dtype=np.int32)
_EMPTY_WHICH = np.empty(0, dtype=np.intp)


def _empty() -> tuple[np.ndarray, np.ndarray]:
    return np.empty(0, dtype=np.uint32), np.empty(0, dtype=np.int32)


def _sorted(fps: np.ndarray, docs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Order by fingerprint, then document (one 64-bit key sorted in place)."""
    keys = fps.astype(np.uint64)
    keys <<= np.uint64(32)
    keys |= docs.astype(np.uint64)
    keys.sort()
    return (keys >> np.uint64(32)).astype(np.uint32), (keys & np.uint64(0xFFFFFFFF)).astype(np.int32)


def _ranges(fps: np.ndarray, query: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Where each query fingerprint's postings start in `fps`, and how many there are."""
    if len(fps) == 0:
        return np.zeros(len(query), dtype=np.int64), np.zeros(len(query), dtype=np.int64)
    lo = np.searchsorted(fps, query, side="left")
    return lo, np.searchsorted(fps, query, side="right") - lo


def _collect(docs: np.ndarray, lo: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """docs[lo[i] : lo[i] + lengths[i]] for every i, concatenated."""
    total = int(lengths.sum())
    if total == 0:
        return docs[:0]
    starts = np.repeat(lo - np.cumsum(lengths) + lengths, lengths)
    return docs[starts + np.arange(total)]


class Lookup:
    """A query's postings in one `Postings`: how many documents hold each fingerprint, and reading them."""

    def __init__(self, size: int, levels: list[tuple[np.ndarray, np.ndarray, np.ndarray]]) -> None:
        self._size = size
        self._levels = levels  # (documents, first posting, postings) per level, oldest level first
        self.doc_freq = sum((n for _, _, n in levels), np.zeros(size, dtype=np.int64))

    def read(self, chosen: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(documents read, which query fingerprint each was read for): every document of each `chosen`
        fingerprint (a boolean mask over the query's)."""
        docs, which = [], []
        positions = np.arange(self._size)
        for level_docs, lo, n in self._levels:
            take = np.where(chosen, n, 0)
            docs.append(_collect(level_docs, lo, take))
            which.append(np.repeat(positions, take))
        if len(docs) == 1:
            return docs[0], which[0]
        return np.concatenate([_EMPTY_DOCS, *docs]), np.concatenate([_EMPTY_WHICH, *which])


class Postings:
    """(fingerprint, document) pairs; documents are added in ascending id order."""

    def __init__(self, fps: np.ndarray | None = None, docs: np.ndarray | None = None) -> None:
        self._main = (fps, docs) if fps is not None and docs is not None else _empty()
        self._delta = _empty()
        self._pending_fps = array("I")
        self._pending_docs = array("i")

    def __len__(self) -> int:
        return len(self._main[0]) + len(self._delta[0]) + len(self._pending_fps)

    def add(self, doc: int, fps: np.ndarray) -> None:
        """Index the document's distinct fingerprints."""
        self._pending_fps.frombytes(fps.astype(np.uint32, copy=False).tobytes())
        self._pending_docs.extend([doc] * len(fps))

    def lookup(self, query: np.ndarray) -> Lookup:
        """Where the postings of each query fingerprint lie (a binary search per level, nothing read yet)."""
        self._settle()
        levels = [(docs, *_ranges(fps, query)) for fps, docs in (self._main, self._delta) if len(fps)]
        return Lookup(len(query), levels)

    def arrays(self) -> tuple[np.ndarray, np.ndarray]:
        """All postings as (fingerprints, documents), merged into one sorted level."""
        self._settle()
        self._merge()
        return self._main

    def _settle(self) -> None:
        """Sort pending postings into the delta, or into the main level once the delta is large."""
        if not self._pending_fps:
            return
        pending = (np.frombuffer(self._pending_fps, dtype=np.uint32),
                   np.frombuffer(self._pending_docs, dtype=np.int32))
        into_main = len(self._delta[0]) + len(pending[0]) > max(_MERGE_FLOOR, len(self._main[0]) // 4)
        levels = [self._main, self._delta, pending] if into_main else [self._delta, pending]
        merged = _sorted(np.concatenate([f for f, _ in levels]), np.concatenate([d for _, d in levels]))
        if into_main:
            self._main, self._delta = merged, _empty()
        else:
            self._delta = merged
        self._pending_fps, self._pending_docs = array("I"), array("i")

    def _merge(self) -> None:
        if len(self._delta[0]):
            self._main = _sorted(
                np.concatenate([self._main[0], self._delta[0]]), np.concatenate([self._main[1], self._delta[1]])
            )
            self._delta = _empty()
