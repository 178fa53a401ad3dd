"""The fingerprint postings: lookups agree with a plain dictionary through adds, deltas and merges."""

from __future__ import annotations

import numpy as np

from portalwatch.dedupe.fingerprints import shingle_hashes, window_fingerprints, winnow
from portalwatch.dedupe.kernels import candidate_table, position_in_uniform, top_documents, weigh_postings
from portalwatch.dedupe.policy import POSTINGS_PER_FINGERPRINT
from portalwatch.dedupe.postings import Postings, SavedPostings, grouped
from portalwatch.dedupe.segment import Segment, rarest_first, read_postings


def hits(lookup, chosen: np.ndarray) -> dict[int, int]:
    """How many chosen keys each document holds, as the candidates' weighing counts them (a weight of 1 a key)."""
    table = candidate_table(int(lookup.doc_freq[chosen].sum()))
    lookup.weigh(chosen, 0, np.ones(len(chosen)), table)
    docs, counts = top_documents(*table, 0.0, len(table[0]))
    return dict(zip(docs.tolist(), [int(c) for c in counts.tolist()], strict=True))


def expected_hits(postings: dict[int, list[int]], query: np.ndarray, chosen: np.ndarray) -> dict[int, int]:
    counts: dict[int, int] = {}
    for fp in query[chosen].tolist():
        for doc in postings.get(fp, []):
            counts[doc] = counts.get(doc, 0) + 1
    return counts


def test_hits_match_a_plain_dictionary_across_merges():
    rng = np.random.default_rng(5)
    index, plain = Postings(), {}
    for doc in range(6000):  # 6000 x 60 postings: past the delta's merge floor
        fps = np.unique(rng.integers(0, 50_000, 60).astype(np.uint32))
        index.add(doc, fps)
        for fp in fps.tolist():
            plain.setdefault(fp, []).append(doc)
        if doc % 1500 == 0 or doc == 5999:
            query = np.unique(rng.integers(0, 50_000, 80).astype(np.uint32))
            lookup = index.lookup(query)
            chosen = rng.random(len(query)) < 0.5
            assert hits(lookup, chosen) == expected_hits(plain, query, chosen)
            assert lookup.doc_freq.tolist() == [len(plain.get(fp, [])) for fp in query.tolist()]
    fps, _ = index.arrays()
    assert len(fps) == len(index) == sum(len(v) for v in plain.values())
    assert np.all(np.diff(fps.astype(np.int64)) >= 0)


def test_saved_postings_answer_as_the_postings_they_were_saved_from():
    rng = np.random.default_rng(8)
    index, plain = Postings(), {}
    for doc in range(3000):
        # a few keys held by many documents, most by few: blocks of the directory hold both
        fps = np.unique(np.concatenate([rng.integers(0, 40, 3), rng.integers(0, 2**33, 30)]).astype(np.uint64))
        index.add(doc, fps)
        for fp in fps.tolist():
            plain.setdefault(fp, []).append(doc)
    arrays = grouped(*index.arrays())
    assert len(arrays["buckets"]) > 100  # the directory holds many buckets, each of a few keys
    saved = SavedPostings(arrays)
    held = np.array(sorted(plain), dtype=np.uint64)
    query = np.unique(np.concatenate([rng.choice(held, 200), rng.integers(0, 2**33, 200).astype(np.uint64),
                                      held[:1], held[-1:], [0, 2**33 - 1]]).astype(np.uint64))
    lookup = saved.lookup(query)
    assert lookup.doc_freq.tolist() == [len(plain.get(fp, [])) for fp in query.tolist()]
    chosen = rng.random(len(query)) < 0.5
    assert hits(lookup, chosen) == expected_hits(plain, query, chosen)
    keys, docs = index.arrays()
    assert np.repeat(arrays["keys"], np.diff(arrays["starts"])).tolist() == keys.tolist()
    assert arrays["docs"].tolist() == docs.tolist()
    assert hits(SavedPostings(grouped(*Postings().arrays())).lookup(query), chosen) == {}


def test_the_rarest_fingerprints_are_read_whole_until_the_budget_is_spent():
    doc_freq = np.array([900, 3, 0, 40, 200, 41])
    assert rarest_first(doc_freq, 84).tolist() == [False, True, True, True, False, True]
    assert rarest_first(doc_freq, 83).tolist() == [False, True, True, True, False, False]
    assert rarest_first(np.array([500, 700]), 10).tolist() == [True, False]  # the rarest, whatever it costs


def test_a_chosen_fingerprint_is_read_in_every_part_old_and_recent_holders_alike():
    holders = 3 * POSTINGS_PER_FINGERPRINT  # more holders in each part than one fingerprint's budget
    parts = []
    for _ in range(3):
        postings = Postings()
        for doc in range(holders):
            postings.add(doc, np.array([7, 8], dtype=np.uint32) if doc == holders - 1 else np.array([7], np.uint32))
        parts.append(Segment(postings=postings))
    read = read_postings(parts, np.array([7, 8], dtype=np.uint64), 2 * POSTINGS_PER_FINGERPRINT)
    assert read.doc_freq.tolist() == [3 * holders, 3]
    # the rare fingerprint is read first and whole: the newest document of every part holds it
    assert read.chosen.tolist() == [False, True]
    assert [hits(lookup, read.chosen) for lookup in read.lookups] == [{holders - 1: 1}] * 3


def test_winnowing_keeps_a_fingerprint_of_every_long_shared_run():
    rng = np.random.default_rng(9)
    values = rng.integers(0, 2**63, 500).astype(np.uint64)
    values[100:140] = values[100]  # a run of equal hashes (a repeated character)
    for window in (1, 2, 5, 24):
        expected = [int(values[i : i + window].min()) >> 32 for i in range(len(values) - window + 1)]
        assert window_fingerprints(values, window).tolist() == expected
    assert window_fingerprints(values[:10], 24).tolist() == [int(values[:10].min()) >> 32]  # a short text
    shared = "青岛西海岸新区与一家央企所属海洋工程企业签约共同建设海洋装备制造基地项目总投资八十亿元"
    a = winnow(shingle_hashes("胶州市近日印发支持跨境电商措施" + shared))
    b = winnow(shingle_hashes(shared + "崂山区发布元宇宙产业发展行动计划"))
    assert len(np.intersect1d(a, b)) >= 1


def test_candidates_are_ranked_by_their_summed_weight_as_a_plain_dictionary_ranks_them():
    rng = np.random.default_rng(3)
    for _ in range(100):
        n, span = int(rng.integers(1, 3000)), int(rng.integers(1, 2_000_000))  # ids close together and far apart
        keys = 20
        docs = rng.integers(0, span, n).astype(np.int32)
        owner = np.sort(rng.integers(0, keys, n))  # the key each posting is of: a key's postings lie together
        lo = np.searchsorted(owner, np.arange(keys))
        count = np.searchsorted(owner, np.arange(keys), side="right") - lo
        weights = rng.choice([0.5, 1.0, 1.5, 2.0], keys)
        chosen = rng.random(keys) < 0.7
        floor, limit, offset = float(rng.choice([0.0, 1.0, 3.0])), int(rng.integers(1, 6)), int(rng.integers(0, 9))
        sums: dict[int, float] = {}
        for doc, key in zip(docs.tolist(), owner.tolist(), strict=True):
            if chosen[key]:
                sums[doc + offset] = sums.get(doc + offset, 0.0) + weights[key]
        expected = sorted((-total, doc) for doc, total in sums.items() if total >= floor)[:limit]
        table = candidate_table(n)
        weigh_postings(docs, lo, count, chosen, offset, weights, *table)
        best, totals = top_documents(*table, floor, limit)
        assert best.tolist() == [doc for _, doc in expected]
        assert totals.tolist() == [-total for total, _ in expected]


def test_a_hash_is_found_among_sorted_hashes_however_they_are_spread():
    rng = np.random.default_rng(2)
    for values in (np.sort(rng.integers(0, 2**64, 100_000, dtype=np.uint64)), np.arange(1000, dtype=np.uint64),
                   np.array([0, 1, 2, 2**63, 2**64 - 1], dtype=np.uint64), np.empty(0, dtype=np.uint64)):
        for x in [*values[::97], *rng.integers(0, 2**64, 200, dtype=np.uint64)]:
            at = position_in_uniform(values, np.uint64(x))
            assert (at >= 0) == bool(np.isin(x, values)) and (at < 0 or values[at] == x)
