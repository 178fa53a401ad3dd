"""Character shingles of folded text as 64-bit hashes, and their winnowed fingerprints."""

from __future__ import annotations

import numpy as np

from portalwatch.dedupe import kernels
from portalwatch.dedupe.policy import SHINGLE, WINDOW

EMPTY64 = np.empty(0, dtype=np.uint64)
EMPTY32 = np.empty(0, dtype=np.uint32)
PAIR = np.uint64(1 << 32)  # the tag of a pair key among a text's index keys (`Prepared.keys`)


def shingle_hashes(folded: str, k: int = SHINGLE) -> np.ndarray:
    """The hash of every k-character shingle of `folded`, in text order (one for a shorter text)."""
    if not folded:
        return EMPTY64
    return kernels.shingles(np.frombuffer(folded.encode("utf-32-le"), dtype=np.uint32), k)


def window_fingerprints(hashes: np.ndarray, window: int = WINDOW) -> np.ndarray:
    """The 32-bit fingerprint chosen in every window of hashes (the high half of its smallest hash), in text
    order (one for a short text)."""
    return kernels.window_fingerprints(hashes, window)


def pair_keys(window_fps: np.ndarray) -> np.ndarray:
    """Distinct 32-bit keys of every two fingerprints chosen one after the other (sorted).

    In formulaic prose most single fingerprints are held by thousands of articles; two that follow
    each other are held by few, so a copy is found by its pairs when none of its fingerprints is rare.
    """
    return kernels.pair_keys(window_fps)


def winnow(hashes: np.ndarray, window: int = WINDOW) -> np.ndarray:
    """Distinct fingerprints of every window of hashes (sorted)."""
    return np.unique(window_fingerprints(hashes, window))
