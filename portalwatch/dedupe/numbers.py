"""Figures that differ between a republished copy and the known text it copies."""

from __future__ import annotations

import re

import numpy as np

from portalwatch.models import NumberChange
from portalwatch.textnorm import matching_codes

# A figure not preceded by a digit or a point; the pattern opens with its digit so that the search
# skips to digits fast (the look-behind then checks the character before it).
_NUMBER = re.compile(
    r"\d(?<![\d.]\d)\d*(?:,\d{3})*(?:\.\d+)?\s*(?:%|‰|万亿|亿|万|千)?"
    r"(?:元|美元|欧元|日元|港元|平方米|平方公里|亩|吨|个|家|项|人|台|辆|千瓦|兆瓦)?"
)
_NOT_CONTEXT = re.compile(r"[\W_\d]+")  # what a figure's context key leaves out: punctuation, space, digits
_BEFORE = 6  # folded characters of left context that identify where a figure stands
_AFTER = 2
_SPAN = 24  # raw characters read on each side to find that context
_SHOWN = 14  # raw characters shown on each side in NumberChange.context
MAX_CHANGES = 20

Key = tuple[str, str]


def _matches(text: str) -> list[tuple[int, int, str]]:
    """(start, end, figure as written) of every figure in `text`."""
    return [(m.start(), m.end(), m.group()) for m in _NUMBER.finditer(text)]


def _figures(text: str, matches: list[tuple[int, int, str]] | None = None) -> list[tuple[Key, str, int, int]]:
    """(context key, figure as written without spaces, start, end) of every figure in `text` (or of `matches`).

    The context characters of the whole text are found at once (a code point table), and each figure's
    context is a slice of them: a regular expression a figure took several times longer.
    """
    matches = _matches(text) if matches is None else matches
    if not matches:
        return []
    codes, left_out = matching_codes(text, _NOT_CONTEXT)
    kept = ~left_out
    context = codes[kept].tobytes().decode("utf-32-le", "surrogatepass")
    before = np.concatenate(([0], np.cumsum(kept))).tolist()  # context characters before each raw position
    last = len(text)
    found = []
    for start, end, figure in matches:
        key_before = context[before[max(start - _SPAN, 0)] : before[start]].lower()[-_BEFORE:]
        if key_before:
            key_after = context[before[end] : before[min(end + _SPAN, last)]].lower()[:_AFTER]
            found.append(((key_before, key_after), figure.replace(" ", ""), start, end))
    return found


def _copied(found: str, known: str, start: int, end: int) -> bool:
    """Whether the figure at found[start:end] stands in `known` amid the same characters, as far as its context
    is read on either side: `known` then holds that figure under the same key, and it changed nothing.

    A figure after a comma may continue a longer number in one text and not in the other: never copied.
    """
    if start < _SPAN or end + _SPAN > len(found) or found[start - 1] == ",":
        return False
    return found[start - _SPAN : end + _SPAN] in known


def number_changes(known: str, found: str) -> list[NumberChange]:
    """Figures of `found` whose context in `known` holds one other figure (both simplified text)."""
    unmatched = [match for match in _matches(found) if not _copied(found, known, match[0], match[1])]
    if not unmatched:  # a copy whose every figure stands where it stood
        return []
    by_key: dict[Key, set[str]] = {}
    for key, figure, _, _ in _figures(known):
        by_key.setdefault(key, set()).add(figure)
    changes: list[NumberChange] = []
    seen: set[tuple[str, str, str]] = set()
    for key, figure, start, end in _figures(found, unmatched):
        figures = by_key.get(key)
        if not figures or figure in figures or len(figures) != 1:
            continue
        (was,) = figures
        context = " ".join(found[max(0, start - _SHOWN) : end + _SHOWN].split())
        if (was, figure, context) not in seen:
            seen.add((was, figure, context))
            changes.append(NumberChange(known=was, found=figure, context=context))
        if len(changes) == MAX_CHANGES:
            break
    return changes
