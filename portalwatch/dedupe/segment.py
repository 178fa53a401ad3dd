"""A searchable set of known documents: their table and their fingerprint postings."""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from itertools import accumulate
from typing import Protocol

import numpy as np

from portalwatch.dedupe.documents import DocInfo, DocTable
from portalwatch.dedupe.kernels import candidate_table, rarest_keys, top_documents
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
class Read:
    """A text's keys looked up in every segment: how many known documents hold each, which are read."""

    doc_freq: np.ndarray
    chosen: np.ndarray  # a mask over the keys
    lookups: list[Lookup]  # one a segment, in segment order


def rarest_first(doc_freq: np.ndarray, budget: int) -> np.ndarray:
    """Which keys to read (a mask): the rarest first, while their postings together fit in
    `budget`; the rarest one always."""
    return rarest_keys(doc_freq, budget)


def read_postings(segments: list[Segment], keys: np.ndarray, budget: int) -> Read:
    """How many known documents hold each key of the text, and which keys to read.

    The keys are chosen by `rarest_first` across all segments, within `budget` postings, and each
    chosen one is read whole in every segment: old and recent holders alike. (Reading each
    fingerprint's oldest holders instead missed copies of recent formulaic articles, whose every
    fingerprint is common; where every fingerprint is common, the rarest keys are pairs of them.)
    """
    lookups = [segment.postings.lookup(keys) for segment in segments]
    doc_freq = lookups[0].doc_freq.copy() if lookups else np.zeros(len(keys), dtype=np.int64)
    for lookup in lookups[1:]:
        doc_freq += lookup.doc_freq
    return Read(doc_freq, rarest_first(doc_freq, budget), lookups)


def best_candidates(read: Read, sizes: list[int], key_weights: np.ndarray, floor: float,
                    limit: int = MAX_CANDIDATES) -> list[tuple[float, int, int]]:
    """(weight of the keys shared, segment, document) of the documents worth verifying, best first: at most
    `limit`, each sharing `floor`. `sizes`: how many documents each segment holds, in segment order."""
    table = candidate_table(int(read.doc_freq[read.chosen].sum()))
    offsets = [0, *accumulate(sizes)]
    for lookup, offset in zip(read.lookups, offsets, strict=False):
        lookup.weigh(read.chosen, offset, key_weights, table)
    best, sums = top_documents(*table, floor, limit)
    ranked = []
    for total, doc in zip(sums.tolist(), best.tolist(), strict=True):
        rank = bisect_right(offsets, doc) - 1
        ranked.append((total, rank, doc - offsets[rank]))
    return ranked
