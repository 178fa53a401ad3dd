"""How much of a text a known document holds: IDF-weighted, both directions, and what is left new."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from portalwatch.dedupe.policy import SHINGLE, WINDOW
from portalwatch.dedupe.prepare import Prepared


def idf(doc_freq: np.ndarray, documents: int) -> np.ndarray:
    """Inverse document frequency of fingerprints found in `doc_freq` of `documents` known documents."""
    return np.log1p((documents + 1) / (doc_freq.astype(np.float64) + 1))


def shingle_weights(prepared: Prepared, fingerprint_idf: np.ndarray) -> np.ndarray:
    """Weight of every shingle position: the mean IDF of the windows it falls in.

    Only fingerprints have document frequencies; a shingle takes those of the windows around it,
    so a run of stock phrasing weighs little and a rare passage much.
    """
    n = len(prepared.hashes)
    windows = fingerprint_idf[np.searchsorted(prepared.fingerprints, prepared.window_fingerprints)]
    m = len(windows)
    sums = np.concatenate([[0.0], np.cumsum(windows)])
    positions = np.arange(n)
    lo = np.maximum(0, positions - WINDOW + 1)
    hi = np.minimum(positions, m - 1) + 1
    return (sums[hi] - sums[lo]) / (hi - lo)


def covered_chars(prepared: Prepared, present: np.ndarray) -> np.ndarray:
    """Which folded characters lie in at least one shingle marked in `present` (one flag a position)."""
    length = len(prepared.folded)
    k = min(SHINGLE, length)
    return np.convolve(present.astype(np.int32), np.ones(k, dtype=np.int32))[:length] > 0


@dataclass(frozen=True)
class Overlap:
    """What one known document holds of a text."""

    score: float  # IDF-weighted share of the text's distinct shingles found in the document
    contained: float  # share of the text's characters found in the document
    contains: float  # share of the document's distinct shingles found in the text
    shared: int  # distinct shingles in common
    present: np.ndarray  # per shingle position of the text: found in the document


def sorted_unique(values: np.ndarray) -> np.ndarray:
    """The distinct values, sorted (a sort and a mask: cheaper than np.unique for these sizes)."""
    ordered = np.sort(values)
    if len(ordered) < 2:
        return ordered
    return ordered[np.concatenate(([True], ordered[1:] != ordered[:-1]))]


def member(values: np.ndarray, sorted_set: np.ndarray) -> np.ndarray:
    """Which `values` occur in `sorted_set` (sorted, distinct)."""
    if not len(sorted_set):
        return np.zeros(len(values), dtype=bool)
    at = np.minimum(np.searchsorted(sorted_set, values), len(sorted_set) - 1)
    return sorted_set[at] == values


@dataclass(frozen=True)
class Weighted:
    """A text ready to be measured against known documents."""

    prepared: Prepared
    where: np.ndarray  # per shingle position, the position of its hash in `prepared.shingles`
    weights: np.ndarray  # per distinct shingle, its largest position weight


def weigh(prepared: Prepared, fingerprint_idf: np.ndarray) -> Weighted:
    """The text's distinct shingles weighted by the IDF of their fingerprints (`shingle_weights`)."""
    where = np.searchsorted(prepared.shingles, prepared.hashes)
    weights = np.zeros(len(prepared.shingles))
    np.maximum.at(weights, where, shingle_weights(prepared, fingerprint_idf))
    return Weighted(prepared, where, weights)


def measure(text: Weighted, known_hashes: np.ndarray) -> Overlap:
    """The overlap of a weighed text and a known document's shingle hashes."""
    prepared = text.prepared
    known = sorted_unique(known_hashes)
    distinct_present = member(prepared.shingles, known)
    present = distinct_present[text.where]
    shared = int(np.count_nonzero(distinct_present))
    total = float(text.weights.sum())
    score = float(text.weights[distinct_present].sum()) / total if total else 0.0
    contains = shared / len(known) if len(known) else 0.0  # both sets distinct: |known ∩ text| / |known|
    covered = int(np.count_nonzero(covered_chars(prepared, present)))
    contained = covered / len(prepared.folded) if prepared.folded else 0.0
    return Overlap(score=score, contained=contained, contains=contains, shared=shared, present=present)


def exact(prepared: Prepared) -> Overlap:
    """The overlap of a text with a document whose folded text is the same."""
    present = np.ones(len(prepared.hashes), dtype=bool)
    return Overlap(score=1.0, contained=1.0, contains=1.0, shared=len(prepared.shingles), present=present)


def new_chars(prepared: Prepared, overlaps: list[Overlap]) -> int:
    """Characters of the text found in none of the documents."""
    if not overlaps:
        return len(prepared.folded)
    present = np.logical_or.reduce([o.present for o in overlaps])
    return int(len(prepared.folded) - covered_chars(prepared, present).sum())
