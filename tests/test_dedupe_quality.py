"""The labelled set (built without product code by bench/make_dedupe_set.py), met as a crawl meets it."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from portalwatch.dedupe import DedupeIndex, seed_source
from portalwatch.seeds import load_seeds

ROOT = Path(__file__).resolve().parent.parent
SEEDS = load_seeds(ROOT / "seeds")
REAL_PAGES = ROOT.parent / "shared" / "real-pages" / "gold.jsonl"
sys.path.insert(0, str(ROOT / "bench"))

import dedupe_quality  # noqa: E402


@pytest.fixture(scope="module")
def index(tmp_path_factory) -> DedupeIndex:
    return DedupeIndex.open(tmp_path_factory.mktemp("dedupe"), SEEDS)


@pytest.mark.parametrize("seed", SEEDS, ids=lambda s: s.id)
@pytest.mark.parametrize("length", [40, 60])
def test_a_list_summary_of_every_seed_is_a_duplicate(index, seed, length):
    verdict = index.check("【招商快讯】" + seed.title, seed.text.replace("\n", "")[:length] + "...")
    assert verdict.status == "duplicate" and verdict.duplicate_of.source == seed_source(seed)


@pytest.mark.skipif(not REAL_PAGES.exists(), reason="the labelled set is built from ../shared/real-pages")
def test_held_out_half_precision_and_recall(tmp_path):
    cases = dedupe_quality.load_cases(tmp_path / "labelled.jsonl")  # built here, by the set's own script
    results = dedupe_quality.run_cases(cases, tmp_path)
    index = DedupeIndex.open(tmp_path / "dedupe", SEEDS)
    rows = dedupe_quality.outcomes(results, dedupe_quality.Judge(), index.rule, index.thresholds)
    held_out = [row for row in rows if row[0]["half"] == "test"]
    kinds = {row[0]["case"] for row in held_out}
    assert {"partial", "summary", "excerpt", "traditional", "formulaic", "notice"} <= kinds
    precision, recall, *_ = dedupe_quality.precision_recall(held_out)
    assert precision >= 0.99 and recall >= 0.99
    shortest = min(len(row[0]["text"]) for row in held_out if row[0]["case"] == "summary")
    assert shortest <= 45  # 40-character summaries are part of it
