"""The figures a republished copy changed: found by the words standing before and after each figure."""

from __future__ import annotations

from portalwatch.dedupe.numbers import number_changes


def changed(known: str, found: str) -> list[tuple[str, str]]:
    return [(c.known, c.found) for c in number_changes(known, found)]


def test_a_changed_figure_is_found_by_its_words_whatever_the_punctuation_and_digits_around_them() -> None:
    assert changed("总投资32亿元，年产值10亿元。", "总投资35亿元，年产值10亿元。") == [("32亿元", "35亿元")]
    assert changed("项目（一期）总投资：32亿元", "项目（一期）总投资：35亿元") == [("32亿元", "35亿元")]
    assert changed("2026年计划投资8000万元", "2026年计划投资9000万元") == [("8000万元", "9000万元")]


def test_a_figure_without_words_before_it_or_with_two_candidates_is_not_reported() -> None:
    assert changed("32亿元投资项目", "35亿元投资项目") == []  # nothing before it to place it
    assert changed("投资32亿元，投资40亿元", "投资35亿元") == []  # which of the two did it change?


def test_characters_beyond_the_basic_plane_and_upper_case_count_as_words() -> None:
    assert changed("𠀀项目投资32亿元", "𠀀项目投资35亿元") == [("32亿元", "35亿元")]
    assert changed("ABC Park 投资32亿元", "abc park 投资35亿元") == [("32亿元", "35亿元")]
