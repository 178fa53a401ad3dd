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


def distinct_weights(prepared: Prepared, weights: np.ndarray) -> np.ndarray:
    """Per distinct shingle of the text (in `prepared.shingles` order), its largest position weight."""
    out = np.zeros(len(prepared.shingles))
    np.maximum.at(out, np.searchsorted(prepared.shingles, prepared.hashes), weights)
    return out


def measure(prepared: Prepared, weights: np.ndarray, known_hashes: np.ndarray) -> Overlap:
    """The overlap of `prepared` and a known document's shingle hashes.

    `weights`: per distinct shingle of the text (`distinct_weights`).
    """
    known = sorted_unique(known_hashes)
    present = member(prepared.hashes, known)
    distinct_present = member(prepared.shingles, known)
    total = float(weights.sum())
    score = float(weights[distinct_present].sum()) / total if total else 0.0
    contains = float(member(known, prepared.shingles).mean()) if len(known) else 0.0
    contained = float(covered_chars(prepared, present).mean()) if prepared.folded else 0.0
    return Overlap(score=score, contained=contained, contains=contains, shared=int(distinct_present.sum()),
                   present=present)


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
