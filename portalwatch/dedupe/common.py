"""Lines made of fingerprints found in very many known articles: site furniture nobody listed.

A footer or sidebar of a portal we have no pattern for repeats on every page of that portal. Such
a line says nothing about whether the article is known, so it is left out of the comparison, unless
that would leave too little: a text that is mostly widely known is compared whole.
"""

from __future__ import annotations

import numpy as np

from portalwatch.dedupe.policy import COMMON_DF, COMMON_LINE_SHARE, MIN_KEPT_SHARE, WINDOW
from portalwatch.dedupe.prepare import Prepared
from portalwatch.textnorm import fold


def strip_common_lines(prepared: Prepared, doc_freq: np.ndarray) -> Prepared:
    """`prepared` without its lines of common fingerprints (`doc_freq`: documents per fingerprint)."""
    if len(prepared.hashes) <= WINDOW:
        return prepared
    fingerprints = prepared.fingerprints
    frequent = doc_freq >= COMMON_DF
    if not frequent.any():
        return prepared
    # per window start, in folded coordinates
    common = frequent[np.searchsorted(fingerprints, prepared.window_fingerprints)]
    lines = prepared.simplified.split("\n")
    lengths = np.array([len(fold(line)) for line in lines])
    ends = np.cumsum(lengths)
    starts = ends - lengths
    covered = np.concatenate([[0], np.cumsum(common)])
    kept = []
    for line, start, end in zip(lines, starts, ends, strict=True):
        a, b = min(start, len(common)), min(end, len(common))
        if b <= a or (covered[b] - covered[a]) / (b - a) < COMMON_LINE_SHARE:
            kept.append(line)
    simplified = "\n".join(kept)
    folded = fold(simplified)
    if len(folded) < MIN_KEPT_SHARE * len(prepared.folded) or len(folded) == len(prepared.folded):
        return prepared
    return Prepared(simplified=simplified, folded=folded)
