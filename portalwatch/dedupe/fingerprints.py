"""Character shingles of folded text as 64-bit hashes, their winnowed fingerprints, and the index keys.

Compiled with numba: a text has a thousand shingles, and numpy would spend its time in the overhead of each
small step. Whatever changes here changes every key, so the saved index is rebuilt (`index.LAYOUT`).
"""

from __future__ import annotations

import numba
import numpy as np

from portalwatch.dedupe.policy import SHINGLE, WINDOW

EMPTY64 = np.empty(0, dtype=np.uint64)
EMPTY32 = np.empty(0, dtype=np.uint32)
PAIR = np.uint64(1 << 32)  # the tag of a pair key among a text's index keys (`Prepared.keys`)
KEY_BITS = 33  # index keys: 32-bit fingerprints, and pairs of them tagged with PAIR, spread by `index_keys`
_JIT = {"cache": True, "nogil": True}

_BASE = np.uint64(0x100000001B3)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)


@numba.njit(**_JIT)
def _mix64(h: np.uint64) -> np.uint64:
    """Spread the bits of a 64-bit value (the splitmix64 finaliser)."""
    h ^= h >> np.uint64(31)
    h *= _MIX1
    h ^= h >> np.uint64(27)
    h *= _MIX2
    h ^= h >> np.uint64(33)
    return h


@numba.njit(**_JIT)
def _shingles(codes: np.ndarray, k: int) -> np.ndarray:
    """The hash of every k-code-point shingle of `codes` (one for a shorter text), in text order."""
    k = min(k, len(codes))
    n = len(codes) - k + 1
    out = np.empty(max(n, 0), dtype=np.uint64)
    for i in range(n):
        h = np.uint64(0)
        for j in range(k):
            h = h * _BASE + np.uint64(codes[i + j])
        out[i] = _mix64(h)
    return out


@numba.njit(**_JIT)
def _window_fingerprints(hashes: np.ndarray, window: int) -> np.ndarray:
    """The 32-bit fingerprint (high half of the smallest hash) of every window of `window` hashes, in text
    order; one for a text of at most `window` hashes. A deque of candidate minima: linear in the text."""
    n = len(hashes)
    if n == 0:
        return np.empty(0, dtype=np.uint32)
    if n <= window:
        return np.array([np.uint32(hashes.min() >> np.uint64(32))], dtype=np.uint32)
    out = np.empty(n - window + 1, dtype=np.uint32)
    queue = np.empty(n, dtype=np.int64)  # positions of increasing hashes, the window's minimum first
    head, tail = 0, 0
    for i in range(n):
        while tail > head and hashes[queue[tail - 1]] >= hashes[i]:
            tail -= 1
        queue[tail] = i
        tail += 1
        if queue[head] <= i - window:
            head += 1
        if i >= window - 1:
            out[i - window + 1] = np.uint32(hashes[queue[head]] >> np.uint64(32))
    return out


@numba.njit(**_JIT)
def _pair_keys(window_fps: np.ndarray) -> np.ndarray:
    """Distinct 32-bit keys of every two fingerprints chosen one after the other (sorted)."""
    chosen = np.empty(len(window_fps), dtype=np.uint64)
    count = 0
    for i in range(len(window_fps)):
        if i == 0 or window_fps[i] != window_fps[i - 1]:
            chosen[count] = np.uint64(window_fps[i])
            count += 1
    if count < 2:
        return np.empty(0, dtype=np.uint32)
    pairs = np.empty(count - 1, dtype=np.uint32)
    for i in range(count - 1):
        pairs[i] = np.uint32(_mix64((chosen[i] << np.uint64(32)) | chosen[i + 1]) >> np.uint64(32))
    return _distinct(pairs)


_KEY_MASK = np.uint64((1 << KEY_BITS) - 1)
_KEY_MUL1 = np.uint64(0x1A7A7B5F9)  # odd: multiplying by it permutes the KEY_BITS-bit values
_KEY_MUL2 = np.uint64(0x12B4E2B2B)


@numba.njit(**_JIT)
def index_keys(keys: np.ndarray) -> np.ndarray:
    """The keys (below 2**KEY_BITS) spread evenly over their KEY_BITS bits by a bijection, so that a saved
    part can find a key's bucket from its top bits: fingerprints are the smallest hash of their window
    and crowd the low values."""
    out = np.empty(len(keys), dtype=np.uint64)
    for i in range(len(keys)):
        x = np.uint64(keys[i]) & _KEY_MASK
        x ^= x >> np.uint64(16)
        x = (x * _KEY_MUL1) & _KEY_MASK
        x ^= x >> np.uint64(15)
        x = (x * _KEY_MUL2) & _KEY_MASK
        x ^= x >> np.uint64(16)
        out[i] = x
    return out


@numba.njit(**_JIT)
def _distinct(values: np.ndarray) -> np.ndarray:
    """The distinct values, sorted."""
    ordered = np.sort(values)
    out = np.empty_like(ordered)
    count = 0
    for i in range(len(ordered)):
        if i == 0 or ordered[i] != ordered[i - 1]:
            out[count] = ordered[i]
            count += 1
    return out[:count]


@numba.njit(**_JIT)
def _text_keys(window_fps: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(distinct fingerprints, sorted; the text's index keys: those fingerprints, then its pair keys tagged
    with PAIR, all spread by `index_keys`)."""
    fingerprints = _distinct(window_fps)
    pairs = _pair_keys(window_fps)
    keys = np.empty(len(fingerprints) + len(pairs), dtype=np.uint64)
    for i in range(len(fingerprints)):
        keys[i] = np.uint64(fingerprints[i])
    for i in range(len(pairs)):
        keys[len(fingerprints) + i] = np.uint64(pairs[i]) | PAIR
    return fingerprints, index_keys(keys)


def text_keys(window_fps: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A text's distinct fingerprints (sorted) and its index keys: the fingerprints in that order, then the
    pairs of consecutive ones (`pair_keys`) tagged with PAIR so that the two never collide, spread by
    `index_keys`."""
    return _text_keys(window_fps)


def shingle_hashes(folded: str, k: int = SHINGLE) -> np.ndarray:
    """The hash of every k-character shingle of `folded`, in text order (one for a shorter text)."""
    if not folded:
        return EMPTY64
    return _shingles(np.frombuffer(folded.encode("utf-32-le"), dtype=np.uint32), k)


def window_fingerprints(hashes: np.ndarray, window: int = WINDOW) -> np.ndarray:
    """The 32-bit fingerprint chosen in every window of hashes (the high half of its smallest hash), in text
    order (one for a short text)."""
    return _window_fingerprints(hashes, window)


def winnow(hashes: np.ndarray, window: int = WINDOW) -> np.ndarray:
    """Distinct fingerprints of every window of hashes (sorted)."""
    return np.unique(window_fingerprints(hashes, window))
