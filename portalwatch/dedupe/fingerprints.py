"""Character shingles of folded text as 64-bit hashes, and their winnowed fingerprints."""

from __future__ import annotations

import numpy as np

from portalwatch.dedupe.policy import SHINGLE, WINDOW

_BASE = np.uint64(0x100000001B3)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)
EMPTY64 = np.empty(0, dtype=np.uint64)
EMPTY32 = np.empty(0, dtype=np.uint32)
PAIR = np.uint64(1 << 32)  # the tag of a pair key among a text's index keys (`Prepared.keys`)


def shingle_hashes(folded: str, k: int = SHINGLE) -> np.ndarray:
    """The hash of every k-character shingle of `folded`, in text order (one for a shorter text)."""
    if not folded:
        return EMPTY64
    codes = np.frombuffer(folded.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    k = min(k, len(codes))
    n = len(codes) - k + 1
    h = np.zeros(n, dtype=np.uint64)
    for j in range(k):
        h = h * _BASE + codes[j : j + n]
    return _mix(h)


def _mix(h: np.ndarray) -> np.ndarray:
    """Spread the bits of 64-bit values (the splitmix64 finaliser), in place."""
    h ^= h >> np.uint64(31)
    h *= _MIX1
    h ^= h >> np.uint64(27)
    h *= _MIX2
    h ^= h >> np.uint64(33)
    return h


def window_minima(values: np.ndarray, window: int) -> np.ndarray:
    """Minimum of every run of `window` consecutive values (len(values) - window + 1 of them)."""
    span, minima = 1, values
    while span * 2 <= window:  # minima of runs of 2, 4, 8, ... by doubling
        minima = np.minimum(minima[:-span], minima[span:])
        span *= 2
    rest = window - span  # two overlapping runs of `span` cover a run of `window`
    return np.minimum(minima[: len(minima) - rest], minima[rest:]) if rest else minima


def window_fingerprints(hashes: np.ndarray, window: int = WINDOW) -> np.ndarray:
    """The 32-bit fingerprint chosen in every window of hashes, in text order (one for a short text)."""
    if len(hashes) == 0:
        return EMPTY32
    minima = hashes.min(keepdims=True) if len(hashes) <= window else window_minima(hashes, window)
    return (minima >> np.uint64(32)).astype(np.uint32)


def pair_keys(window_fps: np.ndarray) -> np.ndarray:
    """Distinct 32-bit keys of every two fingerprints chosen one after the other (sorted).

    In formulaic prose most single fingerprints are held by thousands of articles; two that follow
    each other are held by few, so a copy is found by its pairs when none of its fingerprints is rare.
    """
    if len(window_fps) < 2:
        return EMPTY32
    chosen = window_fps[np.concatenate(([True], window_fps[1:] != window_fps[:-1]))].astype(np.uint64)
    if len(chosen) < 2:
        return EMPTY32
    pairs = _mix((chosen[:-1] << np.uint64(32)) | chosen[1:])
    return np.unique((pairs >> np.uint64(32)).astype(np.uint32))


def winnow(hashes: np.ndarray, window: int = WINDOW) -> np.ndarray:
    """Distinct fingerprints of every window of hashes (sorted)."""
    return np.unique(window_fingerprints(hashes, window))
