"""The figures a republished copy changed: found by the words standing before and after each figure."""

from __future__ import annotations

import random
import re

from portalwatch.dedupe import numbers
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


def _reference(known: str, found: str) -> list[tuple[str, str, str]]:
    """The rule as first written, slowly: every figure's key read by a regular expression on each side."""
    def figures(text: str) -> list[tuple[tuple[str, str], str, int, int]]:
        out = []
        for m in numbers._NUMBER.finditer(text):
            before = re.sub(r"[\W_\d]+", "", text[max(0, m.start() - 24) : m.start()]).lower()[-6:]
            after = re.sub(r"[\W_\d]+", "", text[m.end() : m.end() + 24]).lower()[:2]
            if before:
                out.append(((before, after), m.group().replace(" ", ""), m.start(), m.end()))
        return out

    by_key: dict[tuple[str, str], set[str]] = {}
    for key, figure, _, _ in figures(known):
        by_key.setdefault(key, set()).add(figure)
    changes = []
    for key, figure, start, end in figures(found):
        held = by_key.get(key)
        if held and figure not in held and len(held) == 1:
            change = (next(iter(held)), figure, " ".join(found[max(0, start - 14) : end + 14].split()))
            if change not in changes:
                changes.append(change)
    return changes[: numbers.MAX_CHANGES]


def test_edited_copies_report_the_changes_the_rule_defines() -> None:
    rng = random.Random(5)
    alphabet = [*"投资亿元万项目签约开工平方米，。、；：（）() \n_-.%‰,,,", *"0123456789" * 3, "İ", "٣", "𠀀", "A"]
    for _ in range(1500):
        known = "".join(rng.choice(alphabet) for _ in range(rng.randrange(400)))
        found = list(known)
        for _ in range(rng.randrange(6)):  # a few characters changed, added or dropped
            at = rng.randrange(len(found) + 1)
            found[at:at + rng.randrange(2)] = rng.choice(alphabet) * rng.randrange(2)
        found = "".join(found)[rng.randrange(30):]
        got = [(c.known, c.found, c.context) for c in number_changes(known, found)]
        assert got == _reference(known, found), (known, found)
