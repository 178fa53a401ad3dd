"""Kind decisions, projects and stage, summaries, and the whole classify() on seed text."""

from __future__ import annotations

from pathlib import Path

import pytest

from portalwatch.classify import classify
from portalwatch.classify.projects import extract_projects
from portalwatch.classify.summary import MAX_CHARS, summarize

REPO = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    ("title", "text", "kind"),
    [
        ("智能制造产业园项目签约落户城阳", "12日，城阳区与某企业签约，项目总投资32亿元。", "project"),
        ("黄岛区一季度重大项目集中开工", "此次集中开工项目45个，总投资286.5亿元。", "project"),
        ("新能源汽车零部件项目投产", "项目总投资近百亿元，一期正式投产。", "project"),
        ("国际创新园二期预计年底竣工", "项目主体结构已完成80%，计划投资二十三亿元。", "project"),
        ("崂山区人民政府关于印发《崂山区促进数字经济发展若干措施》的通知", "现将若干措施印发给你们。", "policy"),
        ("青岛市人民政府办公厅关于进一步优化营商环境的通知", "青政办字[2023]5号\n现就有关事项通知如下。", "policy"),
        ("城阳区政策解读：企业上市挂牌扶持办法", "一、出台背景", "policy"),
        ("即墨区出台人才新政 最高给予500万元安家补贴", "日前，即墨区印发实施办法。", "policy"),
        ("青岛市召开全市重点项目建设推进会议", "会议强调，要加快推动重点项目早开工、早投产。", "other"),
        ("市南区开展安全生产大检查", "共检查单位86家。", "other"),
        ("胶州市开展重点项目建设督导检查", "督导组对36个在建重点项目进行现场督导。", "other"),
        ("崂山风景区推出春季旅游优惠活动", "景区将举办茶文化节。", "other"),
        ("平度市政务服务中心推行“一窗通办”改革", "群众办事等待时间缩短。", "other"),
        ("【即墨区招商】2021年即墨区政府工作报告", "全力推进总投资2656亿元的227个重点产业项目。", "other"),
        ("即墨蓝谷深化园区发展", "2023年，青岛市印发《关于深化蓝谷核心区改革的若干措施》，支撑蓝谷发展。", "policy"),
        ("“双招双引”趟出硬核之路", "2019年至今，即墨区新签约重点项目105个。其中投资50亿元的项目落户。", "project"),
        ("(三)发力攻坚实体经济", "推进总投资2600多亿元的121个制造业项目，开工一批、投产一批。", "other"),
    ],
)
def test_kind_follows_what_the_article_leads_with(title: str, text: str, kind: str) -> None:
    assert classify(title, text).kind == kind


def test_an_article_about_both_gets_the_one_its_title_leads_with() -> None:
    text = "李沧区印发产业用地政策梳理，总投资50亿元的项目因此签约落地。"
    assert classify("李沧区创新产业用地政策助力项目招商落地", text).kind == "policy"
    assert classify("50亿元项目签约落地 得益于产业用地新政策", text).kind == "project"


def test_project_names_and_stage() -> None:
    text = (
        "特别是正在推进的益海嘉里食品产业园项目，由丰益国际投资10亿美元建设；重点抓好总投资100亿元的"
        "全球香辛料交易金融中心项目、中国北方环保产业基地项目。全市44个省市重点项目和一批四新经济项目全部开工。"
    )
    facts = classify("胶州市44个省市重点项目已全部开工", text)
    assert facts.projects == ["益海嘉里食品产业园项目", "全球香辛料交易金融中心项目", "中国北方环保产业基地项目"]
    assert (facts.kind, facts.stage) == ("project", "开工")


@pytest.mark.parametrize(
    ("title", "stage"),
    [
        ("产业园项目签约落户", "签约"),
        ("物流基地奠基", "开工"),
        ("创新园二期主体封顶", "在建"),
        ("航空物流基地竣工", "竣工"),
        ("零部件项目投产", "投产"),
        ("139个在谈项目加快推进", "在谈"),
    ],
)
def test_each_stage_is_recognised(title: str, stage: str) -> None:
    assert classify(title, "项目总投资10亿元。").stage == stage


def test_policies_carry_no_stage_and_names_inside_titles_are_not_projects() -> None:
    title = "关于印发《青岛市智能制造产业园建设若干措施》的通知"
    facts = classify(title, "现将《青岛市智能制造产业园建设若干措施》印发给你们。")
    assert (facts.kind, facts.stage, facts.projects) == ("policy", None, [])
    assert extract_projects("", "推进重点项目、四新经济项目和一批制造业项目建设") == []


def test_summary_is_the_lead_sentence_without_dateline() -> None:
    text = "青岛新闻网3月12日讯（记者 王晓）12日上午，城阳区举行项目签约仪式。该项目总投资32亿元。"
    assert summarize("标题", text) == "12日上午，城阳区举行项目签约仪式。"


def test_summary_skips_headings_and_speaker_lines() -> None:
    text = "胶州市\n市委书记刘建军：\n44个省市重点项目已全部开工\n今年以来，胶州市加快项目建设。下一步……"
    assert summarize("标题", text) == "今年以来，胶州市加快项目建设。"


def test_summary_is_never_cut_inside_a_number() -> None:
    words = "今年以来" * (MAX_CHARS // 4)
    sentence = words[: MAX_CHARS - 3] + "1197.5亿元的重点产业项目全部开工建设。"
    assert summarize("标题", sentence) == words[: MAX_CHARS - 3] + "…"


def test_summary_shows_chinese_punctuation_but_keeps_thousands_separators() -> None:
    facts = classify("标题", "青岛新闻网讯 城阳区签约项目3个,签约总额1,200万元;现场气氛热烈!")
    assert facts.summary == "城阳区签约项目3个，签约总额1,200万元；现场气氛热烈！"


def test_empty_input_gives_an_empty_classification() -> None:
    facts = classify("", "")
    assert (facts.kind, facts.districts, facts.amounts, facts.summary) == ("other", [], [], "")


def test_summary_keeps_a_short_lead_whole() -> None:
    assert summarize("标题", "项目总投资1197.5亿元。第二句。") == "项目总投资1197.5亿元。"


def test_summary_cuts_at_a_clause_break_when_there_is_one() -> None:
    sentence = "青岛市" + "项目建设" * 20 + "，总投资1197.5亿元的227个重点产业项目" + "全面推进" * 10 + "。"
    summary = summarize("标题", sentence)
    assert summary.endswith("…") and "1197.5" not in summary and len(summary) <= MAX_CHARS + 1


def test_seed_article_in_traditional_characters_is_classified() -> None:
    lines = (REPO / "seeds/004_dfa85d812edf7218.txt").read_text(encoding="utf-8").splitlines()
    facts = classify(lines[3], "\n".join(lines[1:3] + lines[4:14]))
    assert facts.kind == "project"
    assert facts.districts == ["胶州市"]
    # the headline is the one project's own investment, not the total of the 450 projects listed before it
    assert (facts.amounts[0].yi, facts.amounts[0].currency, facts.amounts[0].own) == (10.0, "USD", True)
    assert any(a.yi == 1197.5 and not a.own for a in facts.amounts)
    assert "益海嘉里食品产业园项目" in facts.projects
    assert facts.summary.startswith("今年以来，胶州市树牢“项目为零、一切为零”的工作导向，")
