"""Compiled loops (numba) for the steps of a check that numpy would take in many small calls.

A check touches a few hundred keys and a few thousand postings; at that size numpy spends its time in
the overhead of each call, not in the work. These loops do the same work in one call each.
"""

from __future__ import annotations

import numba
import numpy as np

_JIT = {"cache": True, "nogil": True}


@numba.njit(**_JIT)
def saved_ranges(keys: np.ndarray, starts: np.ndarray, buckets: np.ndarray, shift: int, query: np.ndarray
                 ) -> tuple[np.ndarray, np.ndarray]:
    """Where the postings of each query key start in a saved part, and how many there are.

    The distinct `keys` (spread evenly by `fingerprints.index_keys`) are cut into buckets by their bits
    above `shift`, and `buckets[b]` is where bucket b starts: a lookup reads one directory entry, the few
    keys of its bucket and the key's postings range, and no lookup waits on the one before it.
    """
    lo = np.zeros(len(query), dtype=np.int64)
    count = np.zeros(len(query), dtype=np.int64)
    for i in range(len(query)):
        q = query[i]
        bucket = np.int64(q >> np.uint64(shift))
        for at in range(buckets[bucket], buckets[bucket + 1]):
            if keys[at] >= q:
                if keys[at] == q:
                    lo[i] = starts[at]
                    count[i] = starts[at + 1] - starts[at]
                break
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
