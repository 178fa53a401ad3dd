"""How much of a text a known document holds: IDF-weighted, both directions, and what is left new."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from portalwatch.dedupe import kernels
from portalwatch.dedupe.policy import SHINGLE, WINDOW
from portalwatch.dedupe.prepare import Prepared


def idf(doc_freq: np.ndarray, documents: int) -> np.ndarray:
    """Inverse document frequency of fingerprints found in `doc_freq` of `documents` known documents."""
    return np.log1p((documents + 1) / (doc_freq.astype(np.float64) + 1))


def covered_chars(prepared: Prepared, present: np.ndarray) -> int:
    """How many folded characters lie in at least one shingle marked in `present` (one flag a position)."""
    return kernels.covered_count(present, len(prepared.folded), min(SHINGLE, len(prepared.folded)))


@dataclass(frozen=True)
class Overlap:
    """What one known document holds of a text."""

    score: float  # IDF-weighted share of the text's distinct shingles found in the document
    contained: float  # share of the text's characters found in the document
    contains: float  # share of the document's distinct shingles found in the text
    shared: int  # distinct shingles in common
    present: np.ndarray  # per shingle position of the text: found in the document


@dataclass(frozen=True)
class Weighted:
    """A text ready to be measured against known documents."""

    prepared: Prepared
    where: np.ndarray  # per shingle position, the position of its hash in `prepared.shingles`
    weights: np.ndarray  # per distinct shingle, its largest position weight
    total: float  # the weights' sum
    table: np.ndarray  # the distinct shingles' `slot_table`


def weigh(prepared: Prepared, fingerprint_idf: np.ndarray) -> Weighted:
    """The text's distinct shingles weighted by the IDF of their fingerprints.

    Only fingerprints have document frequencies; a shingle takes those of the windows around it, so a run
    of stock phrasing weighs little and a rare passage much (`kernels.weigh_shingles`).
    """
    where, weights, table = kernels.weigh_shingles(prepared.hashes, prepared.shingles, prepared.window_fingerprints,
                                                   prepared.fingerprints, fingerprint_idf, WINDOW)
    return Weighted(prepared, where, weights, float(weights.sum()), table)


def measure(text: Weighted, known_hashes: np.ndarray) -> Overlap:
    """The overlap of a weighed text and a known document's shingle hashes."""
    prepared = text.prepared
    distinct_present, weight, shared, distinct = kernels.shared_shingles(prepared.shingles, text.weights,
                                                                          text.table, known_hashes)
    present = distinct_present[text.where]
    score = weight / text.total if text.total else 0.0
    contains = shared / distinct if distinct else 0.0  # both sets distinct: |known ∩ text| / |known|
    contained = covered_chars(prepared, present) / len(prepared.folded) if prepared.folded else 0.0
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
    return len(prepared.folded) - covered_chars(prepared, present)
