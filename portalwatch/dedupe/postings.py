"""Inverted index from fingerprint to documents, as compact sorted numpy arrays.

Two levels: a large sorted `main` and a small sorted `delta` that takes new documents and is
merged into `main` when it grows past a quarter of it, so adding stays cheap and a lookup is a
binary search in each level, independent of the corpus size.
"""

from __future__ import annotations

from array import array

import numpy as np

_MERGE_FLOOR = 200_000  # postings a delta may hold before it is merged, whatever the main size


def _empty() -> tuple[np.ndarray, np.ndarray]:
    return np.empty(0, dtype=np.uint32), np.empty(0, dtype=np.int32)


def _sorted(fps: np.ndarray, docs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Order by fingerprint, then document (one 64-bit key sorted in place)."""
    keys = fps.astype(np.uint64)
    keys <<= np.uint64(32)
    keys |= docs.astype(np.uint64)
    keys.sort()
    return (keys >> np.uint64(32)).astype(np.uint32), (keys & np.uint64(0xFFFFFFFF)).astype(np.int32)


def _gather(
    fps: np.ndarray, docs: np.ndarray, query: np.ndarray, limits: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Documents of the first `limits[i]` postings of every query fingerprint `query[i]`, and how many each."""
    lo = np.searchsorted(fps, query, side="left")
    hi = np.minimum(np.searchsorted(fps, query, side="right"), lo + limits)
    lengths = hi - lo
    total = int(lengths.sum())
    if total == 0:
        return docs[:0], lengths
    starts = np.repeat(lo - np.cumsum(lengths) + lengths, lengths)
    return docs[starts + np.arange(total)], lengths


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

    def hits(self, query: np.ndarray, limit: int) -> tuple[np.ndarray, np.ndarray]:
        """Documents sharing fingerprints with `query` (at most the `limit` oldest per fingerprint), counted."""
        self._settle()
        old, taken = _gather(*self._main, query, np.full(len(query), limit, dtype=np.int64))
        recent, _ = _gather(*self._delta, query, limit - taken)
        return np.unique(np.concatenate([old, recent]), return_counts=True)

    def doc_freq(self, query: np.ndarray) -> np.ndarray:
        """How many documents hold each query fingerprint."""
        self._settle()
        return sum(
            (np.searchsorted(fps, query, side="right") - np.searchsorted(fps, query, side="left")
             for fps, _ in (self._main, self._delta) if len(fps)),
            start=np.zeros(len(query), dtype=np.int64),
        )

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
