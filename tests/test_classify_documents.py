"""Policy titles in 《》, document numbers in every bracket style, issuing bodies."""

from __future__ import annotations

import pytest

from portalwatch.classify import classify
from portalwatch.classify.documents import extract_doc_numbers, extract_issuers, extract_policies


@pytest.mark.parametrize(
    ("written", "normalised"),
    [
        ("崂政发〔2026〕15号", "崂政发〔2026〕15号"),
        ("青政办字[2023]5号", "青政办字〔2023〕5号"),
        ("鲁政发﹝2022﹞8号", "鲁政发〔2022〕8号"),
        ("城政办发(2025)12号", "城政办发〔2025〕12号"),
        ("青西新管发［2024］21号", "青西新管发〔2024〕21号"),
        ("李政办发（2026）4号", "李政办发〔2026〕4号"),
        ("即政办发【2026】7号", "即政办发〔2026〕7号"),
        ("青政发〔２０２１〕３号", "青政发〔2021〕3号"),
    ],
)
def test_every_bracket_style_gives_the_standard_number(written: str, normalised: str) -> None:
    facts = classify("关于印发扶持办法的通知", f"现将《扶持办法》（{written}）印发给你们。")
    assert facts.doc_numbers == [normalised]


def test_words_before_a_number_are_not_part_of_it() -> None:
    text = "根据青政发〔2021〕3号文件精神，依据鲁政办字[2020]12号和国办发〔2019〕5号，文号：崂政发〔2026〕15号"
    assert extract_doc_numbers("", text) == [
        "青政发〔2021〕3号", "鲁政办字〔2020〕12号", "国办发〔2019〕5号", "崂政发〔2026〕15号",
    ]


def test_a_year_in_brackets_without_a_serial_is_not_a_number() -> None:
    assert extract_doc_numbers("", "《青岛西海岸新区高质量发展行动方案(2022-2024年)》和(2023)年度计划") == []


def test_policy_titles_keep_nested_titles_and_drop_newspapers_and_short_forms() -> None:
    text = (
        "市政府印发《关于印发〈青岛市支持项目建设若干措施〉的通知》，《人民日报》《新闻联播》作了报道。"
        "《李沧区产业用地现状及土地政策梳理》发布后，《政策梳理》被广泛使用；《投稿须知》见下文。"
    )
    assert extract_policies("", text) == [
        "关于印发〈青岛市支持项目建设若干措施〉的通知", "李沧区产业用地现状及土地政策梳理",
    ]


def test_policy_titles_of_each_kind() -> None:
    text = "《优化营商环境条例》《青岛市城市更新条例（征求意见稿）》《惠企政策词典》《民法典》《XX区2026年工作要点》"
    assert classify("", text).policies == [
        "优化营商环境条例", "青岛市城市更新条例(征求意见稿)", "惠企政策词典", "民法典", "XX区2026年工作要点",
    ]


def test_issuers_from_the_xxgk_table_and_from_the_text() -> None:
    text = (
        "索引号：11370212MB1234567X/2026-00015\n发布机构：崂山区人民政府办公室\n文号：崂政办发〔2026〕3号\n"
        "近日，青岛市发展和改革委员会印发《青岛市重点项目管理办法》。日前，即墨区人民政府正式出台人才政策。"
    )
    assert extract_issuers("", text) == ["崂山区人民政府办公室", "青岛市发展和改革委员会", "即墨区人民政府"]


def test_issuer_in_the_title_of_a_notice() -> None:
    assert extract_issuers("青岛市人民政府办公厅关于进一步优化营商环境的通知", "") == ["青岛市人民政府办公厅"]
