"""A searchable set of known documents: their table and their fingerprint postings."""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from itertools import accumulate
from typing import Protocol

import numpy as np

from portalwatch.dedupe.documents import DocInfo, DocTable
from portalwatch.dedupe.kernels import heaviest, rarest_keys
from portalwatch.dedupe.policy import MAX_CANDIDATES
from portalwatch.dedupe.postings import Lookup, Postings
from portalwatch.dedupe.prepare import Prepared


class KeyIndex(Protocol):
    """Postings that can be looked up: `Postings` in memory, `SavedPostings` of a saved part."""

    def __len__(self) -> int: ...

    def lookup(self, query: np.ndarray) -> Lookup: ...


@dataclass
class Segment:
    """Documents and postings kept and saved together (seeds, stored articles, this session)."""

    docs: DocTable = field(default_factory=DocTable)
    postings: KeyIndex = field(default_factory=Postings)

    def __len__(self) -> int:
        return len(self.docs)

    def add(self, info: DocInfo, prepared: Prepared) -> int:
        """Add a document (to an in-memory segment: saved parts are read only)."""
        doc = self.docs.append(info, prepared.simplified, prepared.exact_hash)
        self.postings.add(doc, prepared.keys)
        return doc


@dataclass(frozen=True)
class Found:
    """The postings read for a text's keys in one segment."""

    docs: np.ndarray  # documents read
    which: np.ndarray  # the key (position in the query's) each was read for


def rarest_first(doc_freq: np.ndarray, budget: int) -> np.ndarray:
    """Which keys to read (a mask): the rarest first, while their postings together fit in
    `budget`; the rarest one always."""
    return rarest_keys(doc_freq, budget)


def read_postings(segments: list[Segment], keys: np.ndarray, budget: int) -> tuple[np.ndarray, np.ndarray, list[Found]]:
    """How many known documents hold each key of the text, which keys were read, and the documents read
    for them in each segment.

    The keys are chosen by `rarest_first` across all segments, within `budget` postings, and each
    chosen one is read whole in every segment: old and recent holders alike. (Reading each
    fingerprint's oldest holders instead missed copies of recent formulaic articles, whose every
    fingerprint is common; where every fingerprint is common, the rarest keys are pairs of them.)
    """
    lookups = [segment.postings.lookup(keys) for segment in segments]
    doc_freq = lookups[0].doc_freq.copy() if lookups else np.zeros(len(keys), dtype=np.int64)
    for lookup in lookups[1:]:
        doc_freq += lookup.doc_freq
    chosen = rarest_first(doc_freq, budget)
    return doc_freq, chosen, [Found(*lookup.read(chosen)) for lookup in lookups]


def best_candidates(found: list[Found], sizes: list[int], fingerprint_idf: np.ndarray,
                    floor: float) -> list[tuple[float, int, int]]:
    """(shared fingerprint weight, segment, document) of the documents worth verifying, best first.

    `found`: one answer per segment, in segment order, of `sizes` documents; at most MAX_CANDIDATES,
    each sharing `floor`.
    """
    offsets = [0, *accumulate(sizes)]
    read = [(f, offset) for f, offset in zip(found, offsets, strict=False) if len(f.docs)]
    if not read:
        return []
    docs, which = (read[0][0].docs, read[0][0].which) if len(read) == 1 else (
        np.concatenate([f.docs for f, _ in read]), np.concatenate([f.which for f, _ in read]))
    best, sums = heaviest(docs, which, np.array([len(f.docs) for f, _ in read]),
                          np.array([offset for _, offset in read]), fingerprint_idf, floor, MAX_CANDIDATES)
    ranked = []
    for total, doc in zip(sums.tolist(), best.tolist(), strict=True):
        rank = bisect_right(offsets, doc) - 1
        ranked.append((total, rank, doc - offsets[rank]))
    return ranked
