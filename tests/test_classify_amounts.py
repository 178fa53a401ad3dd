"""Investment amounts: every written form, and what is not an investment."""

from __future__ import annotations

import pytest

from portalwatch.classify import classify
from portalwatch.classify.amounts import extract_amounts


def amounts(text: str, title: str = "") -> list[tuple[str, float, str, str, float]]:
    return [(a.text, a.value, a.unit, a.currency, a.yi) for a in extract_amounts(title, text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("项目总投资32亿元。", ("32亿元", 32, "亿元", "CNY", 32.0)),
        ("项目计划投资8000万元。", ("8000万元", 8000, "万元", "CNY", 0.8)),
        ("外资项目投资10亿美元。", ("10亿美元", 10, "亿美元", "USD", 10.0)),
        ("外资研发中心投资3000万美元。", ("3000万美元", 3000, "万美元", "USD", 0.3)),
        ("制造业项目450个，总投资1197.5亿元。", ("1197.5亿元", 1197.5, "亿元", "CNY", 1197.5)),
        ("签约项目总投资近百亿元。", ("近百亿元", 100, "亿元", "CNY", 100.0)),
        ("计划投资约4.3亿美元。", ("约4.3亿美元", 4.3, "亿美元", "USD", 4.3)),
        ("总投资超过200亿元。", ("超过200亿元", 200, "亿元", "CNY", 200.0)),
        ("总投资200亿元以上。", ("200亿元以上", 200, "亿元", "CNY", 200.0)),
        ("项目总投资五十亿元。", ("五十亿元", 50, "亿元", "CNY", 50.0)),
        ("项目计划投资二十三亿元。", ("二十三亿元", 23, "亿元", "CNY", 23.0)),
        ("项目计划投资15亿-20亿元。", ("15亿-20亿元", 20, "亿元", "CNY", 20.0)),
        ("每个点位投资1万-5万元。", ("1万-5万元", 5, "万元", "CNY", 0.0005)),
        ("项目总投资5亿，主要建设三条生产线。", ("5亿", 5, "亿元", "CNY", 5.0)),
        ("该项目计划投资8000万。", ("8000万", 8000, "万元", "CNY", 0.8)),
        ("项目投资30~50亿元。", ("30~50亿元", 50, "亿元", "CNY", 50.0)),
        ("签约总额1,200万元。", ("1,200万元", 1200, "万元", "CNY", 0.12)),
        ("引进外资2亿欧元。", ("2亿欧元", 2, "亿欧元", "EUR", 2.0)),
        ("投入资金6000余万元建设园区，总投资6000余万元。", ("6000余万元", 6000, "万元", "CNY", 0.6)),
        ("该企业喜获500万元投资。", ("500万元", 500, "万元", "CNY", 0.05)),
        ("总投资1.2万亿元。", ("1.2万亿元", 1.2, "万亿元", "CNY", 12000.0)),
        ("项目总投资 3 亿元。", ("3 亿元", 3, "亿元", "CNY", 3.0)),
    ],
)
def test_each_amount_form_is_read_with_its_value_in_yi(text: str, expected: tuple) -> None:
    assert amounts(text) == [expected]


@pytest.mark.parametrize("text", ["全年接待游客5亿人次。", "新建厂房8万平方米,年产能2万吨。"])
def test_a_bare_wan_or_yi_that_is_not_money_is_not_an_amount(text: str) -> None:
    assert amounts(text) == []


def test_full_width_digits_are_read_after_normalisation() -> None:
    facts = classify("新区签约一批项目", "现场签约项目15个，总投资１２０亿元，其中外资项目投资３．５亿美元。")
    found = [(a.value, a.currency, a.yi, a.own) for a in facts.amounts]
    assert found == [(3.5, "USD", 3.5, True), (120, "CNY", 120.0, False)]


@pytest.mark.parametrize(
    "text",
    [
        "全部投产后将实现产值450亿元。",
        "达产后可实现年营业收入120亿元。",
        "年纳税约2亿元。",
        "实现税收1.3亿元，增长14%。",
        "对研发投入给予最高500万元补贴。",
        "对首次进入500强的企业给予奖励300万元。",
        "全区完成生产总值1278.4亿元、增长5.8%。",
        "GDP达到1500亿元。",
        "一般公共预算收入112亿元。",
        "1-8月份，固投完成444.4亿元，增长16.3%。",
        "发放创业担保贷款7432万元。",
        "设立20亿元产业母基金。",
        "对新增亿元以上项目给予支持，年内引进5亿元以上项目不少于30个。",
        "梳理了750个5000万元以上固投支撑项目。",
        "行政处罚400万元。",
    ],
)
def test_outputs_revenues_taxes_subsidies_gdp_and_size_classes_are_not_investments(text: str) -> None:
    assert amounts(text) == []


def test_headline_is_the_title_amount_then_text_order_without_repeats() -> None:
    found = amounts(
        "年产值可达60亿元。项目总投资32亿元，其中一期投资12亿元，二期投资20亿元。总投资32亿元的项目将于年内开工。",
        title="总投资32亿元 智能制造产业园项目签约",
    )
    assert [a[4] for a in found] == [32.0, 12.0, 20.0]


def test_headline_skips_a_size_class_before_the_real_total() -> None:
    found = amounts("胶州市梳理了750个5000万元以上固投支撑项目，其中制造业项目450个，总投资1197.5亿元。")
    assert found[0][4] == 1197.5


def test_a_cue_in_an_earlier_clause_of_the_sentence_still_counts() -> None:
    assert amounts("新签约项目36个，金额286亿元。")[0][4] == 286.0
