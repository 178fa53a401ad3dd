"""Text normalisation: readable simplified text, comparison form, content hash, boilerplate."""

from __future__ import annotations

from pathlib import Path

from portalwatch.textnorm import (
    common_lines,
    content_hash,
    normalize,
    strip_boilerplate,
    strip_known_boilerplate,
    strip_title_prefix,
    to_simplified,
)

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def test_pinyin_annotations_are_removed_and_text_simplified():
    assert to_simplified("強(qiáng)力推進(jìn)重點(diǎn)產(chǎn)業(yè)") == "强力推进重点产业"
    assert to_simplified("強（qiáng）力") == "强力"  # full-width parentheses


def test_parentheses_that_are_not_pinyin_stay():
    assert to_simplified("集成电路(ic)产业,华为(青岛)科技城,国家能源首台(套)装备") == (
        "集成电路(ic)产业,华为(青岛)科技城,国家能源首台(套)装备"
    )


def test_readable_form_keeps_punctuation_and_lines():
    assert to_simplified("發展。\n第二段:1-8月") == "发展。\n第二段:1-8月"


def test_traditional_seed_reads_as_simplified():
    text = (SEEDS / "004_dfa85d812edf7218.txt").read_text(encoding="utf-8")
    first = to_simplified(text).splitlines()[0]
    assert first == "强力推进重点产业和“四新”经济项目建设,青岛各区市这样做"


def test_comparison_form_ignores_width_punctuation_space_and_paragraphs():
    a = "总投资32亿元，建设期２年。\n\n项目位于即墨区。"
    b = "总投资 32 亿元,建设期2年. 项目位于即墨区!"
    assert normalize(a) == normalize(b) == "总投资32亿元建设期2年项目位于即墨区"


def test_comparison_form_of_traditional_with_pinyin_equals_simplified():
    assert normalize("膠州市梳理了750個(gè)項(xiàng)目") == normalize("胶州市梳理了750个项目")


def test_content_hash_ignores_cosmetic_changes_only():
    base = "青岛市即墨区:驶入全域全面高质量发展快车道。\n2018年完成地区生产总值1413.4亿元。"
    cosmetic = "青岛市即墨区：驶入全域全面高质量发展快车道。2018年完成地区生产总值１４１３.４亿元。\n分享到:"
    changed = base.replace("1413.4", "1513.4")
    assert content_hash(base) == content_hash(cosmetic)
    assert content_hash(base) != content_hash(changed)
    assert len(content_hash(base)) == 32 and int(content_hash(base), 16) >= 0


def test_park_portal_footer_is_cut():
    raw = (SEEDS / "000_f96473a778488334.txt").read_text(encoding="utf-8")
    stripped = strip_known_boilerplate(raw)
    assert "投稿须知" not in stripped and "400-162-2002" not in stripped and "产业园区网" not in stripped
    assert stripped.rstrip().endswith("成为青岛乡村振兴的特色样板。")


def test_news_header_share_bar_and_footer_are_dropped_but_body_kept():
    raw = (SEEDS / "002_b760fab38fffe935.txt").read_text(encoding="utf-8")
    stripped = strip_known_boilerplate(raw)
    assert "分享到" not in stripped and "版权所有" not in stripped and "> 正文" not in stripped
    assert "2019-12-02 08:27" not in stripped
    # a "相关链接" line inside the article is not the footer: the text after it stays
    assert "搭建起服务“小升规、规转股、股上市”的全生命周期的金融支持实体经济体系。" in stripped


def test_furniture_lines_go_content_lines_stay():
    text = "\n".join([
        "正文第一段,开通12345政务服务热线并完善投资咨询热线服务体系,全年受理企业诉求3200件。",
        "【打印本页】",
        "鲁ICP备12345678号",
    ])
    assert strip_known_boilerplate(text) == text.splitlines()[0]
    assert strip_known_boilerplate("项目简介\n投资咨询热线\n400-162-2002\n联系我们") == "项目简介"


def test_title_prefixes_and_bullets_are_dropped():
    assert strip_title_prefix("• 【即墨区招商】2021年即墨区政府工作报告") == "2021年即墨区政府工作报告"
    assert strip_title_prefix("【2022年即墨区招商】【转载】青岛即墨周戈庄新村") == "青岛即墨周戈庄新村"
    assert strip_title_prefix("青岛李沧区【重点】项目") == "青岛李沧区【重点】项目"


def test_lines_common_to_a_portals_pages_are_stripped():
    pages = [f"第{n}篇正文,内容各不相同,编号{n}。\n本网站由某某园区管委主办\n欢迎投资兴业" for n in range(6)]
    common = common_lines(pages)
    assert len(common) == 2
    assert strip_boilerplate(pages[0].splitlines(), common) == ["第0篇正文,内容各不相同,编号0。"]


def test_a_footer_marker_in_the_header_does_not_cut_the_article():
    body = "青岛李沧区集中发布涵盖617个固定资产投资项目的项目库,总投资额超900亿元,涉及产业、基础设施和民生领域。"
    text = "责任编辑:王芳\n" + body + "\n" + body + "\n责任编辑:王芳\n上一篇:某某新闻"
    assert strip_known_boilerplate(text) == "责任编辑:王芳\n" + body + "\n" + body
