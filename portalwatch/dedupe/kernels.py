"""Compiled loops (numba) for the steps of a check that numpy would take in many small calls.

A check touches a few hundred keys and a few thousand postings; at that size numpy spends its time in
the overhead of each call, not in the work. These loops do the same work in one call each.
"""

from __future__ import annotations

import numba
import numpy as np

_JIT = {"cache": True, "nogil": True}


@numba.njit(**_JIT)
def saved_ranges(keys: np.ndarray, starts: np.ndarray, fence: np.ndarray, block: int,
                 query: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Where the postings of each (sorted) query key start in a saved part, and how many there are.

    `fence` holds every `block`-th of the distinct `keys`: a binary search of it, then a scan of one
    block of keys, so that a lookup touches one block of the large key column per query key.
    """
    m, n = len(query), len(keys)
    lo = np.zeros(m, dtype=np.int64)
    count = np.zeros(m, dtype=np.int64)
    left = 0
    for i in range(m):
        q = query[i]
        right = len(fence)
        while left < right:  # the first fence entry above q; the query is sorted, so never left of the last
            mid = (left + right) >> 1
            if fence[mid] <= q:
                left = mid + 1
            else:
                right = mid
        left = max(left - 1, 0)
        at = left * block
        end = min(at + block, n)
        while at < end and keys[at] < q:
            at += 1
        if at < n and keys[at] == q:
            lo[i] = starts[at]
            count[i] = starts[at + 1] - starts[at]
    return lo, count


@numba.njit(**_JIT)
def gather(docs: np.ndarray, lo: np.ndarray, count: np.ndarray, chosen: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(documents, which query key each was read for) of every `chosen` key's postings
    `docs[lo[i] : lo[i] + count[i]]`, in key order."""
    total = 0
    for i in range(len(lo)):
        if chosen[i]:
            total += count[i]
    found = np.empty(total, dtype=np.int32)
    which = np.empty(total, dtype=np.intp)
    k = 0
    for i in range(len(lo)):
        if chosen[i]:
            for j in range(lo[i], lo[i] + count[i]):
                found[k] = docs[j]
                which[k] = i
                k += 1
    return found, which


@numba.njit(**_JIT)
def heaviest(docs: np.ndarray, which: np.ndarray, counts: np.ndarray, offsets: np.ndarray, key_weights: np.ndarray,
             floor: float, limit: int) -> tuple[np.ndarray, np.ndarray]:
    """The documents whose read postings weigh at least `floor` together, heaviest first (ties: lower
    document first), at most `limit` of them: (documents, their summed weights).

    `docs` holds the documents read in several segments one after the other, `counts[s]` of them in
    segment `s`, whose documents are numbered from `offsets[s]`; each posting weighs the `key_weights` of the
    key it was read for (`which`). The weights are summed in an open-addressing table of at least twice as
    many slots as postings read (Fibonacci hashing), so the work is linear in what was read, however far
    apart the documents' ids are.
    """
    bits = 4
    while (1 << bits) < 2 * len(docs):
        bits += 1
    mask = (1 << bits) - 1
    slots = np.full(1 << bits, -1, dtype=np.int64)
    sums = np.zeros(1 << bits, dtype=np.float64)
    i = 0
    for segment in range(len(counts)):
        for _ in range(counts[segment]):
            doc = np.int64(docs[i]) + offsets[segment]
            at = np.int64((np.uint64(doc) * np.uint64(0x9E3779B97F4A7C15)) >> np.uint64(64 - bits))
            while slots[at] != -1 and slots[at] != doc:
                at = (at + 1) & mask
            slots[at] = doc
            sums[at] += key_weights[which[i]]
            i += 1
    best_docs = np.empty(limit, dtype=np.int64)
    best_sums = np.empty(limit, dtype=np.float64)
    kept = 0
    for at in range(1 << bits):
        doc, total = slots[at], sums[at]
        if doc == -1 or total < floor:
            continue
        place = kept  # where it goes in the top list: after the heavier, and the lighter-or-equal lower ids
        while place > 0 and _ahead(total, doc, best_sums[place - 1], best_docs[place - 1]):
            place -= 1
        if place >= limit:
            continue
        for j in range(min(kept, limit - 1), place, -1):
            best_docs[j], best_sums[j] = best_docs[j - 1], best_sums[j - 1]
        best_docs[place], best_sums[place] = doc, total
        kept = min(kept + 1, limit)
    return best_docs[:kept], best_sums[:kept]


@numba.njit(**_JIT)
def _ahead(total: float, doc: int, other_total: float, other_doc: int) -> bool:
    """Whether a candidate ranks before another: heavier, or as heavy with a lower document id."""
    return total > other_total or (total == other_total and doc < other_doc)


_BASE = np.uint64(0x100000001B3)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)


@numba.njit(**_JIT)
def mix64(h: np.uint64) -> np.uint64:
    """Spread the bits of a 64-bit value (the splitmix64 finaliser)."""
    h ^= h >> np.uint64(31)
    h *= _MIX1
    h ^= h >> np.uint64(27)
    h *= _MIX2
    h ^= h >> np.uint64(33)
    return h


@numba.njit(**_JIT)
def shingles(codes: np.ndarray, k: int) -> np.ndarray:
    """The hash of every k-code-point shingle of `codes` (one for a shorter text), in text order."""
    k = min(k, len(codes))
    n = len(codes) - k + 1
    out = np.empty(max(n, 0), dtype=np.uint64)
    for i in range(n):
        h = np.uint64(0)
        for j in range(k):
            h = h * _BASE + np.uint64(codes[i + j])
        out[i] = mix64(h)
    return out


@numba.njit(**_JIT)
def window_fingerprints(hashes: np.ndarray, window: int) -> np.ndarray:
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
def pair_keys(window_fps: np.ndarray) -> np.ndarray:
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
        pairs[i] = np.uint32(mix64((chosen[i] << np.uint64(32)) | chosen[i + 1]) >> np.uint64(32))
    return np.unique(pairs)


@numba.njit(**_JIT)
def position_weights(window_weights: np.ndarray, positions: int, window: int) -> np.ndarray:
    """Per shingle position, the mean weight of the windows it falls in (of `window` shingles each)."""
    m = len(window_weights)
    sums = np.zeros(m + 1)
    for i in range(m):
        sums[i + 1] = sums[i] + window_weights[i]
    out = np.empty(positions)
    for p in range(positions):
        lo = max(0, p - window + 1)
        hi = min(p, m - 1) + 1
        out[p] = (sums[hi] - sums[lo]) / (hi - lo)
    return out


@numba.njit(**_JIT)
def largest_per_slot(where: np.ndarray, values: np.ndarray, slots: int) -> np.ndarray:
    """For each slot, the largest of the `values` whose `where` is that slot (0 for none)."""
    out = np.zeros(slots)
    for i in range(len(where)):
        if values[i] > out[where[i]]:
            out[where[i]] = values[i]
    return out


@numba.njit(**_JIT)
def shared_shingles(shingles: np.ndarray, weights: np.ndarray, known: np.ndarray
                    ) -> tuple[np.ndarray, float, int, int]:
    """Which of a text's distinct `shingles` (sorted) a known document's hashes hold, the weight of those,
    how many they are, and how many distinct hashes the document has."""
    known = np.sort(known)
    present = np.zeros(len(shingles), dtype=np.bool_)
    weight = 0.0
    shared = 0
    distinct = 0
    at = 0
    for i in range(len(known)):
        if i > 0 and known[i] == known[i - 1]:
            continue
        distinct += 1
        while at < len(shingles) and shingles[at] < known[i]:
            at += 1
        if at < len(shingles) and shingles[at] == known[i]:
            present[at] = True
            weight += weights[at]
            shared += 1
    return present, weight, shared, distinct


@numba.njit(**_JIT)
def covered_count(present: np.ndarray, length: int, k: int) -> int:
    """Characters of a text of `length` inside at least one shingle (of `k` characters) marked `present`."""
    count = 0
    last = -1  # the last present shingle start seen
    for i in range(length):
        if i < len(present) and present[i]:
            last = i
        if last >= 0 and i - last < k:
            count += 1
    return count
