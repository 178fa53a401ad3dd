"""A searchable set of known documents: their table and their fingerprint postings."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from portalwatch.dedupe.documents import DocInfo, DocTable
from portalwatch.dedupe.policy import CANDIDATE_SHARE, MAX_CANDIDATES, MAX_POSTINGS
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

    def candidates(self, prepared: Prepared, min_share: float = CANDIDATE_SHARE) -> list[tuple[int, int]]:
        """(shared fingerprints, document) of the documents worth verifying, best first."""
        fps = prepared.fingerprints
        if len(fps) == 0 or len(self.docs) == 0:
            return []
        docs, counts = self.postings.hits(fps, MAX_POSTINGS)
        keep = counts >= max(1.0, min_share * len(fps))
        docs, counts = docs[keep], counts[keep]
        best = np.lexsort((docs, -counts))[:MAX_CANDIDATES]
        return [(int(counts[i]), int(docs[i])) for i in best]
