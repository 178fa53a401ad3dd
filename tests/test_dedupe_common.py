"""Unlisted site furniture: lines shared by very many stored pages do not make a new article a duplicate."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from portalwatch.dedupe import DedupeIndex
from portalwatch.dedupe.policy import COMMON_DF
from portalwatch.seeds import load_seeds

ROOT = Path(__file__).resolve().parent.parent
SEEDS = load_seeds(ROOT / "seeds")
CHARS = sorted({ch for seed in SEEDS for ch in seed.text if "\u4e00" <= ch <= "\u9fff"})
# A footer no pattern knows: longer than the short articles it follows.
FOOTER = (
    "本站声明:凡注明来源为本网的所有作品,版权均属本网所有,未经授权不得转载、摘编或利用其它方式使用上述作品。\n"
    "已经本网授权使用作品的,应在授权范围内使用,并注明来源。违反上述声明者,本网将追究其相关法律责任。\n"
    "凡本网注明来源为其他媒体的作品,均为转载自其它媒体,转载目的在于传递更多信息,并不代表本网赞同其观点。\n"
    "如因作品内容、版权和其它问题需要同本网联系的,请在三十日内进行,逾期视为放弃相关权利,特此告知各位读者。\n"
    "本网所刊登的招商信息仅供参考,投资者据此操作风险自担,本网不承担由此产生的任何直接或间接经济损失。"
)


def body(rng: random.Random, length: int) -> str:
    """Distinct article text: random characters in sentences."""
    return "".join(rng.choice(CHARS) + ("。" if rng.random() < 0.05 else "") for _ in range(length))


@pytest.fixture(scope="module")
def portal_index(tmp_path_factory):
    rng = random.Random(11)
    index = DedupeIndex.open(tmp_path_factory.mktemp("dedupe"), SEEDS)
    for n in range(COMMON_DF + 10):
        index.add(f"http://park.test/{n}.html", f"园区动态{n}", body(rng, 180) + "\n" + FOOTER, article_id=n + 1)
    return index, rng


def test_new_short_article_with_the_portals_footer_is_new(portal_index):
    index, rng = portal_index
    verdict = index.check("园区动态 新", body(rng, 150) + "\n" + FOOTER)
    assert verdict.status == "new"


def test_copy_of_a_page_with_the_same_footer_is_still_a_duplicate(portal_index):
    index, _ = portal_index
    rng = random.Random(11)
    first = body(rng, 180)  # the body of page 0, regenerated
    verdict = index.check("【转载】园区动态0", first + "\n" + FOOTER)
    assert verdict.duplicate_of.source == "http://park.test/0.html"


def test_text_that_is_mostly_widely_known_is_compared_whole(portal_index):
    index, _ = portal_index
    verdict = index.check("本站声明", FOOTER)
    assert verdict.status == "duplicate"
