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
    keys of its bucket and the key's postings range. The three reads are made a pass each over all the
    query's keys, so that the processor has many independent reads under way at once.
    """
    m = len(query)
    first = np.empty(m, dtype=np.int64)
    last = np.empty(m, dtype=np.int64)
    for i in range(m):
        bucket = np.int64(query[i] >> np.uint64(shift))
        first[i], last[i] = buckets[bucket], buckets[bucket + 1]
    found = np.full(m, -1, dtype=np.int64)
    for i in range(m):
        for at in range(first[i], last[i]):
            if keys[at] >= query[i]:
                if keys[at] == query[i]:
                    found[i] = at
                break
    lo = np.zeros(m, dtype=np.int64)
    count = np.zeros(m, dtype=np.int64)
    for i in range(m):
        if found[i] >= 0:
            lo[i] = starts[found[i]]
            count[i] = starts[found[i] + 1] - lo[i]
    return lo, count


def candidate_table(postings: int) -> tuple[np.ndarray, np.ndarray]:
    """An empty open-addressing table (documents, summed weights) for `postings` postings: at least twice as
    many slots, a power of two."""
    size = 1 << _table_bits(postings)
    return np.full(size, -1, dtype=np.int64), np.zeros(size, dtype=np.float64)


@numba.njit(**_JIT)
def weigh_postings(docs: np.ndarray, lo: np.ndarray, count: np.ndarray, chosen: np.ndarray, offset: int,
                   key_weights: np.ndarray, slots: np.ndarray, sums: np.ndarray) -> None:
    """Add the weight of each `chosen` key to every document holding it, `docs[lo[i] : lo[i] + count[i]]`
    (numbered from `offset`), in a `candidate_table`: linear in the postings read, however far apart the
    documents' ids are (Fibonacci hashing)."""
    bits = _bits_of(len(slots))
    mask = (1 << bits) - 1
    for i in range(len(lo)):
        if not chosen[i]:
            continue
        weight = key_weights[i]
        for j in range(lo[i], lo[i] + count[i]):
            doc = np.int64(docs[j]) + offset
            at = np.int64((np.uint64(doc) * np.uint64(0x9E3779B97F4A7C15)) >> np.uint64(64 - bits))
            while slots[at] != -1 and slots[at] != doc:
                at = (at + 1) & mask
            slots[at] = doc
            sums[at] += weight


@numba.njit(**_JIT)
def top_documents(slots: np.ndarray, sums: np.ndarray, floor: float, limit: int) -> tuple[np.ndarray, np.ndarray]:
    """The documents of a `candidate_table` weighing at least `floor`, heaviest first (ties: lower document
    first), at most `limit` of them: (documents, their weights)."""
    best_docs = np.empty(limit, dtype=np.int64)
    best_sums = np.empty(limit, dtype=np.float64)
    kept = 0
    for at in range(len(slots)):
        doc, total = slots[at], sums[at]
        if doc == -1 or total < floor:
            continue
        place = kept  # where it goes in the top list: after the heavier, and the as heavy of lower ids
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
def _table_bits(size: int) -> int:
    """Bits of an open-addressing table with at least twice `size` slots (16 at least)."""
    return max(_bits_of(2 * size), 4)


@numba.njit(**_JIT)
def _bits_of(slots: int) -> int:
    """The bits that number `slots` slots, a power of two (or the next one up)."""
    bits = 0
    while (1 << bits) < slots:
        bits += 1
    return bits


@numba.njit(**_JIT)
def slot_table(shingles: np.ndarray) -> np.ndarray:
    """An open-addressing table of a text's distinct shingle hashes: at each used slot, the hash's position in
    `shingles` (-1 elsewhere); a hash's top bits are its first slot (the hashes are already well mixed)."""
    bits = _table_bits(len(shingles))
    mask = (1 << bits) - 1
    table = np.full(1 << bits, -1, dtype=np.int64)
    for i in range(len(shingles)):
        at = np.int64(shingles[i] >> np.uint64(64 - bits))
        while table[at] != -1:
            at = (at + 1) & mask
        table[at] = i
    return table


@numba.njit(**_JIT)
def _slot_of(table: np.ndarray, shingles: np.ndarray, h: np.uint64) -> int:
    """The position of hash `h` among `shingles` through their `slot_table`, or -1."""
    bits = _bits_of(len(table))
    mask = (1 << bits) - 1
    slot = np.int64(h >> np.uint64(64 - bits))
    while table[slot] != -1 and shingles[table[slot]] != h:
        slot = (slot + 1) & mask
    return table[slot]


@numba.njit(**_JIT)
def weigh_shingles(hashes: np.ndarray, shingles: np.ndarray, window_fps: np.ndarray, fingerprints: np.ndarray,
                   fingerprint_weights: np.ndarray, window: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(per shingle position, its slot among the distinct `shingles`; per distinct shingle, its weight; the
    shingles' `slot_table`).

    A position weighs the mean weight of the windows (of `window` shingles) it falls in, a window the weight
    of its fingerprint; a distinct shingle, the largest weight of its positions.
    """
    table = slot_table(shingles)
    m = len(window_fps)
    sums = np.zeros(m + 1)
    weight = 0.0
    for j in range(m):
        if j == 0 or window_fps[j] != window_fps[j - 1]:  # consecutive windows mostly keep their fingerprint
            weight = fingerprint_weights[np.searchsorted(fingerprints, window_fps[j])]
        sums[j + 1] = sums[j] + weight
    where = np.empty(len(hashes), dtype=np.int64)
    weights = np.zeros(len(shingles))
    for p in range(len(hashes)):
        where[p] = _slot_of(table, shingles, hashes[p])
        lo = max(0, p - window + 1)
        hi = min(p, m - 1) + 1
        position_weight = (sums[hi] - sums[lo]) / (hi - lo)
        if position_weight > weights[where[p]]:
            weights[where[p]] = position_weight
    return where, weights, table


@numba.njit(**_JIT)
def shared_shingles(shingles: np.ndarray, weights: np.ndarray, table: np.ndarray, known: np.ndarray
                    ) -> tuple[np.ndarray, float, int, int]:
    """Which of a text's distinct `shingles` (found through its `slot_table`) a known document's hashes hold,
    the weight of those, how many they are, and how many distinct hashes the document has."""
    bits = _bits_of(len(table))
    mask = (1 << bits) - 1
    present = np.zeros(len(shingles), dtype=np.bool_)
    seen_bits = _table_bits(len(known))
    seen_mask = (1 << seen_bits) - 1
    seen = np.zeros(1 << seen_bits, dtype=np.uint64)
    used = np.zeros(1 << seen_bits, dtype=np.bool_)
    distinct = 0
    for i in range(len(known)):
        h = known[i]
        at = np.int64(h >> np.uint64(64 - seen_bits))
        while used[at] and seen[at] != h:
            at = (at + 1) & seen_mask
        if used[at]:
            continue  # a hash the document repeats
        used[at], seen[at] = True, h
        distinct += 1
        slot = np.int64(h >> np.uint64(64 - bits))
        while table[slot] != -1 and shingles[table[slot]] != h:
            slot = (slot + 1) & mask
        if table[slot] != -1:
            present[table[slot]] = True
    weight = 0.0
    shared = 0
    for i in range(len(shingles)):  # in the shingles' order, so that the sum does not depend on the document's
        if present[i]:
            weight += weights[i]
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


@numba.njit(**_JIT)
def position_in_uniform(values: np.ndarray, x: np.uint64) -> int:
    """Where `x` is in `values` (sorted, spread evenly over 64 bits: hashes), or -1.

    Interpolation search: the first guesses land within a page or two of the place, where a binary search
    of a large array misses the processor's cache at each of its steps; a few steps narrow it, then a binary
    search of what is left (uneven values only cost more steps).
    """
    lo, hi = 0, len(values)  # x, if present, is in values[lo:hi]
    for _ in range(4):
        if hi - lo <= 64:
            break
        low, high = values[lo], values[hi - 1]
        if x < low or x > high:
            return -1
        span = float(high - low)
        guess = lo + int(float(x - low) / span * (hi - 1 - lo)) if span > 0 else lo
        guess = min(max(guess, lo), hi - 1)
        if values[guess] < x:
            lo = guess + 1
        elif values[guess] > x:
            hi = guess
        else:
            return guess
    while lo < hi:
        mid = (lo + hi) >> 1
        if values[mid] < x:
            lo = mid + 1
        else:
            hi = mid
    return lo if lo < len(values) and values[lo] == x else -1


@numba.njit(**_JIT)
def rarest_keys(doc_freq: np.ndarray, budget: int) -> np.ndarray:
    """Which keys to read (a mask): the rarest first (ties: in the text's order), while their postings together
    fit in `budget`; the rarest one always."""
    order = np.argsort(doc_freq, kind="mergesort")
    chosen = np.zeros(len(doc_freq), dtype=np.bool_)
    total = 0
    for i in range(len(order)):
        total += doc_freq[order[i]]
        if total > budget and i > 0:
            break
        chosen[order[i]] = True
    return chosen
