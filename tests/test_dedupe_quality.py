"""The labelled set (built without product code by bench/make_dedupe_set.py), met as a crawl meets it."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from portalwatch.dedupe import DedupeIndex, seed_source
from portalwatch.seeds import load_seeds

ROOT = Path(__file__).resolve().parent.parent
SEEDS = load_seeds(ROOT / "seeds")
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


def test_held_out_half_precision_and_recall(tmp_path):
    lines = (ROOT / "bench" / "data" / "dedupe_labelled.jsonl").read_text(encoding="utf-8").splitlines()
    cases = [json.loads(line) for line in lines if line.strip()]
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
