"""Where a text may be shortened: never inside a figure ("1,197.5亿元") or a document number ("城发〔2026〕3号")."""

from __future__ import annotations

import re

from portalwatch.classify.documents import DOC_NUMBER_RE, PREFIX_LEAD

_FIGURE = re.compile(
    r"\d+(?:[.,]\d+)*\s*(?:%|‰|万亿|亿|万|千)?(?:元人民币|元|美元|欧元|日元|港元|平方米|平方公里|亩|吨|个|家|项|人)?"
)
# A document number being written: "城发〔20", "青政办字[2026]1" (its 号 may lie beyond the cut).
_PARTIAL_DOC = re.compile(r"[\u4e00-\u9fff]{1,12}\s*[〔\[(【﹝（]\s*\d{0,4}\s*(?:[〕\])】﹞）]\s*\d{0,4})?$")


def _doc_start(match: re.Match[str]) -> int:
    """Where a document number really starts: after the words its prefix may have swallowed (根据, 印发 ...)."""
    prefix = match["prefix"]
    return match.start("prefix") + len(prefix) - len(PREFIX_LEAD.sub("", prefix))


def _spans(text: str) -> list[tuple[int, int]]:
    docs = [(_doc_start(m), m.end()) for m in DOC_NUMBER_RE.finditer(text)]
    return docs + [m.span() for m in _FIGURE.finditer(text)]


def head(text: str, limit: int) -> str:
    """`text[:limit]`, shortened further so that it does not end inside a figure or a document number."""
    if len(text) <= limit:
        return text
    cut = limit
    for start, end in _spans(text):
        if start < cut < end:
            cut = start
    partial = _PARTIAL_DOC.search(text[:cut])
    if partial and re.search(r"[〔\[(【﹝（]", partial.group(0)):
        cut = partial.start()
    return text[:cut]


def tail(text: str, limit: int) -> str:
    """`text[-limit:]`, shortened further so that it does not start inside a figure or a document number."""
    if len(text) <= limit:
        return text
    cut = len(text) - limit
    for start, end in _spans(text):
        if start < cut < end:
            cut = end
    return text[cut:]
