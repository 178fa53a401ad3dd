"""A searchable set of known documents: their table and their fingerprint postings."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from portalwatch.dedupe.documents import DocInfo, DocTable
from portalwatch.dedupe.policy import MAX_CANDIDATES, MAX_POSTINGS
from portalwatch.dedupe.postings import Postings
from portalwatch.dedupe.prepare import Prepared


@dataclass
class Segment:
    """Documents and postings kept and saved together (seeds, stored articles, this session)."""

    docs: DocTable = field(default_factory=DocTable)
    postings: Postings = field(default_factory=Postings)

    def __len__(self) -> int:
        return len(self.docs)

    def add(self, info: DocInfo, prepared: Prepared) -> int:
        doc = self.docs.append(info, prepared.simplified, prepared.exact_hash)
        self.postings.add(doc, prepared.fingerprints)
        return doc


@dataclass(frozen=True)
class Found:
    """The postings read for a text's fingerprints in one segment."""

    docs: np.ndarray  # documents read
    which: np.ndarray  # the fingerprint (position in the query's) each was read for


def read_postings(segments: list[Segment], fingerprints: np.ndarray) -> tuple[np.ndarray, list[Found]]:
    """How many known documents hold each fingerprint, and the documents read for it in each segment.

    At most MAX_POSTINGS documents of a fingerprint are read, the oldest first (the seeds, then the
    saved parts in order), however many segments hold it: a lookup costs the same however large the
    archive; rare fingerprints, which carry the weight, are read whole.
    """
    lookups = [segment.postings.lookup(fingerprints) for segment in segments]
    doc_freq = sum((lookup.doc_freq for lookup in lookups), np.zeros(len(fingerprints), dtype=np.int64))
    left = np.minimum(doc_freq, MAX_POSTINGS)
    found = []
    for lookup in lookups:
        docs, which, taken = lookup.read(left)
        found.append(Found(docs, which))
        left = left - taken
    return doc_freq, found


def best_candidates(found: list[Found], fingerprint_idf: np.ndarray, floor: float) -> list[tuple[float, int, int]]:
    """(shared fingerprint weight, segment, document) of the documents worth verifying, best first.

    `found`: one answer per segment, in segment order; at most MAX_CANDIDATES, each sharing `floor`.
    """
    sizes = [len(f.docs) for f in found]
    if not sum(sizes):
        return []
    keys = np.concatenate([f.docs for f in found]).astype(np.int64)
    keys |= np.repeat(np.arange(len(found), dtype=np.int64) << 32, sizes)
    order = np.argsort(keys, kind="stable")
    ordered = keys[order]
    starts = np.flatnonzero(np.concatenate(([True], ordered[1:] != ordered[:-1])))
    weights = fingerprint_idf[np.concatenate([f.which for f in found])[order]]
    keys, sums = ordered[starts], np.add.reduceat(weights, starts)
    keep = sums >= floor
    keys, sums = keys[keep], sums[keep]
    best = np.lexsort((keys, -sums))[:MAX_CANDIDATES]
    return [(float(sums[i]), int(keys[i] >> 32), int(keys[i] & 0xFFFFFFFF)) for i in best]
