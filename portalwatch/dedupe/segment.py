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

    def search(self, prepared: Prepared) -> Found:
        """How common each of the text's fingerprints is here, and which documents share them."""
        return Found(*self.postings.search(prepared.fingerprints, MAX_POSTINGS))


@dataclass(frozen=True)
class Found:
    """One segment's answer for a text's fingerprints."""

    doc_freq: np.ndarray  # documents holding each fingerprint
    docs: np.ndarray  # documents read (the oldest MAX_POSTINGS per fingerprint)
    which: np.ndarray  # the fingerprint (position in the query's) each was read for

    def candidates(self, fingerprint_idf: np.ndarray, floor: float) -> list[tuple[float, int]]:
        """(shared fingerprint weight, document) of the documents worth verifying, best first."""
        if not len(self.docs):
            return []
        order = np.argsort(self.docs, kind="stable")
        ordered = self.docs[order]
        starts = np.flatnonzero(np.concatenate(([True], ordered[1:] != ordered[:-1])))
        docs, weights = ordered[starts], np.add.reduceat(fingerprint_idf[self.which][order], starts)
        keep = weights >= floor
        docs, weights = docs[keep], weights[keep]
        best = np.lexsort((docs, -weights))[:MAX_CANDIDATES]
        return [(float(weights[i]), int(docs[i])) for i in best]
