"""Text normalisation: readable simplified text, comparison form, content hash, boilerplate."""

from __future__ import annotations

import random
import re
from pathlib import Path

from portalwatch.textnorm import (
    content_hash,
    fold,
    learnable_lines,
    line_key,
    normalize,
    strip_furniture,
    strip_title_prefix,
    to_simplified,
    without_lines,
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


def test_news_header_share_bar_and_footer_are_dropped_but_body_kept():
    raw = (SEEDS / "002_b760fab38fffe935.txt").read_text(encoding="utf-8")
    stripped = strip_furniture(raw)
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
    assert strip_furniture(text) == text.splitlines()[0]


def test_title_prefixes_and_bullets_are_dropped():
    assert strip_title_prefix("• 【即墨区招商】2021年即墨区政府工作报告") == "2021年即墨区政府工作报告"
    assert strip_title_prefix("【2022年即墨区招商】【转载】青岛即墨周戈庄新村") == "青岛即墨周戈庄新村"
    assert strip_title_prefix("青岛李沧区【重点】项目") == "青岛李沧区【重点】项目"


def test_learned_lines_are_keyed_by_their_comparison_form():
    paragraph = "第一段正文,内容很长也不会被学成站点装饰,因为它超过了一百个字符的上限。" * 4
    page = paragraph + "\n本网站由某某园区管委主办\n欢迎投资兴业"
    keys = learnable_lines(page)
    assert keys == {line_key("本网站由某某园区管委主办"), line_key("欢迎投资兴业")}
    assert line_key("歡迎投資興業!") == line_key("欢迎投资兴业")  # Traditional, punctuation: same line
    assert without_lines(page, {line_key("欢迎投资兴业")}).splitlines() == page.splitlines()[:2]


def test_a_footer_marker_in_the_header_does_not_cut_the_article():
    body = "青岛李沧区集中发布涵盖617个固定资产投资项目的项目库,总投资额超900亿元,涉及产业、基础设施和民生领域。"
    text = "责任编辑:王芳\n" + body + "\n" + body + "\n责任编辑:王芳\n上一篇:某某新闻"
    assert strip_furniture(text) == "责任编辑:王芳\n" + body + "\n" + body


def test_a_footer_marker_cuts_when_less_follows_than_came_before():
    text = "标题\n正文很短。\n责任编辑:王芳\n页脚"
    assert strip_furniture(text) == "标题\n正文很短。"
    header = "标题\n责任编辑:王芳\n" + "正文" * 30
    assert strip_furniture(header) == header


def test_fold_keeps_letters_and_digits_of_every_plane_lower_cased() -> None:
    assert fold("Ａ 区：投资_32亿元！𠀀😀İ") == "ａ区投资32亿元𠀀i̇"
    rng = random.Random(7)
    alphabet = [chr(rng.randrange(0x20, 0x2FFFF)) for _ in range(3000)] + list("_ \n，。AbÇ٣")
    for _ in range(300):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randrange(400))).encode("utf-8", "replace").decode()
        assert fold(text) == re.sub(r"[\W_]+", "", text).lower()  # the definition, character by character
