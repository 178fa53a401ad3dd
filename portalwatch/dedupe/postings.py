"""Inverted index from fingerprint to documents, as compact sorted numpy arrays.

Two levels: a large sorted `main` and a small sorted `delta` that takes new documents and is
merged into `main` when it grows past a quarter of it, so adding stays cheap and a lookup is a
binary search in each level, independent of the corpus size.
"""

from __future__ import annotations

import numpy as np

_MERGE_FLOOR = 200_000  # postings a delta may hold before it is merged, whatever the main size


def _empty() -> tuple[np.ndarray, np.ndarray]:
    return np.empty(0, dtype=np.uint32), np.empty(0, dtype=np.int32)


def _sorted(fps: np.ndarray, docs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Order by fingerprint; stable, so documents stay in ascending order within one."""
    order = np.argsort(fps, kind="stable")
    return fps[order], docs[order]


def _gather(fps: np.ndarray, docs: np.ndarray, query: np.ndarray, limit: int) -> np.ndarray:
    """Documents of the first `limit` postings of every query fingerprint."""
    lo = np.searchsorted(fps, query, side="left")
    hi = np.minimum(np.searchsorted(fps, query, side="right"), lo + limit)
    lengths = hi - lo
    total = int(lengths.sum())
    if total == 0:
        return docs[:0]
    starts = np.repeat(lo - np.cumsum(lengths) + lengths, lengths)
    return docs[starts + np.arange(total)]


class Postings:
    """(fingerprint, document) pairs; documents are added in ascending id order."""

    def __init__(self, fps: np.ndarray | None = None, docs: np.ndarray | None = None) -> None:
        self._main = (fps, docs) if fps is not None and docs is not None else _empty()
        self._delta = _empty()
        self._pending: list[tuple[np.ndarray, int]] = []

    def __len__(self) -> int:
        return len(self._main[0]) + len(self._delta[0]) + sum(len(f) for f, _ in self._pending)

    def add(self, doc: int, fps: np.ndarray) -> None:
        """Index the document's distinct fingerprints."""
        self._pending.append((fps.astype(np.uint32, copy=False), doc))

    def hits(self, query: np.ndarray, limit: int) -> tuple[np.ndarray, np.ndarray]:
        """Documents sharing fingerprints with `query` and how many each shares."""
        self._settle()
        docs = np.concatenate([_gather(*self._main, query, limit), _gather(*self._delta, query, limit)])
        return np.unique(docs, return_counts=True)

    def arrays(self) -> tuple[np.ndarray, np.ndarray]:
        """All postings as (fingerprints, documents), merged into one sorted level."""
        self._settle()
        self._merge()
        return self._main

    def _settle(self) -> None:
        if not self._pending:
            return
        fps = np.concatenate([f for f, _ in self._pending])
        docs = np.repeat(
            np.array([d for _, d in self._pending], dtype=np.int32), [len(f) for f, _ in self._pending]
        )
        self._pending = []
        self._delta = _sorted(np.concatenate([self._delta[0], fps]), np.concatenate([self._delta[1], docs]))
        if len(self._delta[0]) > max(_MERGE_FLOOR, len(self._main[0]) // 4):
            self._merge()

    def _merge(self) -> None:
        if len(self._delta[0]):
            self._main = _sorted(
                np.concatenate([self._main[0], self._delta[0]]), np.concatenate([self._main[1], self._delta[1]])
            )
            self._delta = _empty()
