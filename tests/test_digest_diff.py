"""The inline diff a reader sees for a revised page: changed figures whole, long unchanged runs folded."""

from __future__ import annotations

from reports.diff import inline_diff, plain, sentences

OLD = "西海岸新区签约项目总投资32亿元。项目位于董家口。预计2027年投产。"
NEW = "西海岸新区签约项目总投资35亿元。项目位于董家口。预计2028年6月投产。"


def test_sentences_give_the_text_back():
    text = "第一句。第二句！\n\n第三句；最后没有句号"
    assert "".join(sentences(text)) == text
    assert sentences(text)[:2] == ["第一句。", "第二句！"]


def test_a_changed_figure_is_marked_whole():
    assert plain(inline_diff(OLD, NEW)) == (
        "西海岸新区签约项目总投资[-32-]{+35+}亿元。项目位于董家口。预计[-2027年-]{+2028年6月+}投产。"
    )


def test_decimal_figures_are_one_word():
    assert plain(inline_diff("总投资1197.5亿元", "总投资1,250.8亿元")) == "总投资[-1197.5-]{+1,250.8+}亿元"


def test_added_and_removed_sentences():
    diff = inline_diff("第一句。第二句。", "第一句。新增的一句。第二句。")
    assert plain(diff) == "第一句。{+新增的一句。+}第二句。"
    assert plain(inline_diff("第一句。删掉的一句。第二句。", "第一句。第二句。")) == "第一句。[-删掉的一句。-]第二句。"


def test_a_rewritten_sentence_is_shown_as_old_and_new_not_confetti():
    diff = inline_diff("会议由区长主持。", "全体干部参加学习培训。")
    assert [s.kind for s in diff] == ["del", "ins"]


def test_long_unchanged_runs_are_folded_with_context():
    filler = "这是一段没有变化的文字，" * 30
    diff = inline_diff(f"开头。{filler}总投资32亿元。", f"开头。{filler}总投资35亿元。", context=10, fold_over=50)
    kinds = [s.kind for s in diff]
    assert kinds[:2] == ["fold", "same"] and "del" in kinds and "ins" in kinds
    assert len(diff[1].text) == 10
    assert "字未变" in plain(diff)
    assert sum(len(s.text) for s in diff if s.kind in ("same", "fold", "del")) == len(f"开头。{filler}总投资32亿元。")


def test_identical_texts_have_no_changes():
    assert [s.kind for s in inline_diff(OLD, OLD)] == ["same"]


def test_a_rewritten_page_is_cut_short():
    old, new = "旧版正文。" * 500, "全新改版后的页面内容，与原文完全不同！" * 300
    diff = inline_diff(old, new, max_change=100)
    assert [s.kind for s in diff] == ["del", "cut", "ins", "cut"]
    assert len(diff[0].text) == 100 and len(diff[0].text) + len(diff[1].text) == len(old)
    assert f"[… 另 {len(new) - 100} 字 …]" in plain(diff)


def test_folding_never_cuts_a_document_number_or_a_figure() -> None:
    from reports.diff import inline_diff

    number, figure = "城发〔2026〕31号", "1,197.5亿元"
    for shift in range(0, 12):
        filler = "甲" * (36 + shift)
        unchanged = f"{filler}{number}，{'乙' * (30 + shift)}{figure}" + "丙" * 300
        old, new = f"总投资32亿元。{unchanged}", f"总投资36亿元。{unchanged}"
        shown = "".join(s.text for s in inline_diff(old, new) if s.kind == "same")
        for whole in (number, figure):
            for cut in range(1, len(whole)):
                part = whole[:cut]
                assert not (part in shown and whole not in shown), f"shift {shift}: {part!r} shown without the rest"
