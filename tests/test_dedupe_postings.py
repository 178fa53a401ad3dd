"""The fingerprint postings: lookups agree with a plain dictionary through adds, deltas and merges."""

from __future__ import annotations

import numpy as np

from portalwatch.dedupe.fingerprints import shingle_hashes, window_minima, winnow
from portalwatch.dedupe.policy import MAX_POSTINGS
from portalwatch.dedupe.postings import Postings
from portalwatch.dedupe.segment import Segment, read_postings


def expected_hits(postings: dict[int, list[int]], query: np.ndarray, limit: int) -> dict[int, int]:
    counts: dict[int, int] = {}
    for fp in query.tolist():
        for doc in postings.get(fp, [])[:limit]:
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
            found, which = lookup.read(5)
            doc_freq = lookup.doc_freq
            docs, counts = np.unique(found, return_counts=True)
            assert dict(zip(docs.tolist(), counts.tolist(), strict=True)) == expected_hits(plain, query, 5)
            assert all(int(doc) in plain[int(query[q])] for doc, q in zip(found, which, strict=True))
            assert doc_freq.tolist() == [len(plain.get(fp, [])) for fp in query.tolist()]
            read = np.bincount(which, minlength=len(query))
            assert read.tolist() == [min(5, len(plain.get(fp, []))) for fp in query.tolist()]
    fps, docs = index.arrays()
    assert len(fps) == len(index) == sum(len(v) for v in plain.values())
    assert np.all(np.diff(fps.astype(np.int64)) >= 0)


def test_common_fingerprints_read_only_their_oldest_documents():
    index = Postings()
    common = np.array([7], dtype=np.uint32)
    for doc in range(100):
        index.add(doc, common)
    lookup = index.lookup(common)
    docs, which = lookup.read(3)
    assert docs.tolist() == [0, 1, 2] and which.tolist() == [0, 0, 0] and lookup.doc_freq.tolist() == [100]


def test_a_common_fingerprint_is_read_in_every_part_not_only_the_oldest():
    parts = []
    for _ in range(3):  # three saved parts, each with more holders of the fingerprint than are read
        postings = Postings()
        for doc in range(MAX_POSTINGS + 36):
            postings.add(doc, np.array([7], dtype=np.uint32))
        parts.append(Segment(postings=postings))
    doc_freq, found = read_postings(parts, np.array([7], dtype=np.uint32))
    assert doc_freq.tolist() == [3 * (MAX_POSTINGS + 36)]
    assert [f.docs.tolist() for f in found] == [list(range(MAX_POSTINGS))] * 3


def test_winnowing_keeps_a_fingerprint_of_every_long_shared_run():
    rng = np.random.default_rng(9)
    values = rng.integers(0, 2**63, 500).astype(np.uint64)
    for window in (1, 2, 5, 24):
        expected = np.array([values[i : i + window].min() for i in range(len(values) - window + 1)])
        assert np.array_equal(window_minima(values, window), expected)
    shared = "青岛西海岸新区与一家央企所属海洋工程企业签约共同建设海洋装备制造基地项目总投资八十亿元"
    a = winnow(shingle_hashes("胶州市近日印发支持跨境电商措施" + shared))
    b = winnow(shingle_hashes(shared + "崂山区发布元宇宙产业发展行动计划"))
    assert len(np.intersect1d(a, b)) >= 1
