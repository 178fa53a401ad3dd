"""Districts: every alias of DOMAIN.md, city-wide articles, hints, and the traps (streets, the bay)."""

from __future__ import annotations

from pathlib import Path

import pytest

from portalwatch.classify import classify
from portalwatch.classify.districts import ALIASES

REPO = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    ("alias", "canonical"),
    [(alias, name) for name, aliases in ALIASES.items() for alias in aliases],
)
def test_each_alias_gives_its_canonical_district(alias: str, canonical: str) -> None:
    facts = classify("重点项目开工", f"近日，{alias}举行重点项目集中开工活动，{alias}相关负责人出席。")
    assert facts.districts == [canonical]


def test_traditional_characters_with_pinyin_are_matched() -> None:
    facts = classify("膠(jiāo)州市重點(diǎn)項(xiàng)目開工", "膠州市44個省市重點項目已全部開工。")
    assert facts.districts == ["胶州市"]


def test_city_wide_article_names_every_district_it_covers() -> None:
    text = (
        "一季度，全市新签约过亿元项目356个。西海岸新区签约项目78个，黄岛区董家口片区贡献最多；"
        "即墨区签约项目65个，蓝谷片区占三成；胶州市签约项目52个，上合示范区占一半。"
    )
    facts = classify("全市一季度新签约项目356个", text)
    assert facts.districts == ["西海岸新区", "即墨区", "胶州市"]


def test_seed_city_wide_article_covers_all_ten_districts() -> None:
    lines = (REPO / "seeds/004_dfa85d812edf7218.txt").read_text(encoding="utf-8").splitlines()
    facts = classify(lines[0], "\n".join(lines[1:]))
    assert set(facts.districts) == {
        "胶州市", "西海岸新区", "市南区", "市北区", "李沧区", "崂山区", "城阳区", "即墨区", "平度市", "莱西市",
    }


def test_city_level_article_with_passing_mentions_is_qingdao() -> None:
    text = "青岛市召开全市重点项目建设推进会议。会上，市南区、李沧区、胶州市作了交流发言。"
    assert classify("青岛市召开全市重点项目建设推进会议", text).districts == ["青岛市"]


def test_city_document_addressee_line_names_no_district() -> None:
    text = "各区、市人民政府，青岛西海岸新区管委，市政府各部门：\n现将《青岛市促进消费若干措施》印发给你们。"
    assert classify("青岛市人民政府关于印发促进消费若干措施的通知", text).districts == ["青岛市"]


def test_a_passing_mention_of_another_district_is_dropped() -> None:
    text = "李沧区今年重点项目155个，李沧区将加快建设。李沧区与胶州市企业开展合作，李沧区表示欢迎。"
    assert classify("李沧区重点项目顺利推进", text).districts == ["李沧区"]


def test_streets_and_the_bay_named_after_districts_are_not_districts() -> None:
    text = "市南区启动黄岛路、平度路、即墨路两侧里院修缮，胶州湾沿岸整治同步推进，李沧路小学改扩建。"
    assert classify("市南区历史城区保护更新", text).districts == ["市南区"]


def test_the_portal_district_is_used_when_the_text_names_none() -> None:
    facts = classify("区政府召开常务会议", "会议研究了全区城市更新工作。", district_hint="市南区")
    assert facts.districts == ["市南区"]


def test_bare_xinqu_counts_for_the_west_coast_portal() -> None:
    text = "新区深入落实项目落地年部署，新区开工项目1437个。胶州湾隧道二期开工。"
    assert classify("项目建设提速", text, district_hint="西海岸新区").districts == ["西海岸新区"]


def test_high_tech_zone_of_another_place_is_not_qingdao_high_tech_zone() -> None:
    assert classify("蓝谷高新区建设提速", "蓝谷高新区综合保税区通过验收。").districts == ["即墨区"]


def test_no_place_at_all_gives_no_district() -> None:
    assert classify("春季植树活动", "志愿者们种下树苗200棵。").districts == []


def test_a_bare_xinqu_counts_for_the_new_area_only_where_it_stands_for_it() -> None:
    hint = "西海岸新区"
    assert classify("加快发展", "新区管委近日研究部署重点工作。", district_hint=hint).districts == ["西海岸新区"]
    text = ("会议强调，要加快建设活力宜居幸福的现代化新区。\n建设现代化新区，要抓项目、优环境、惠民生。\n"
            "会上，即墨区作交流发言，即墨区今年将实施重点项目百余个，打造现代化新区。")
    assert classify("加快发展", text, district_hint=hint).districts == ["即墨区"]
