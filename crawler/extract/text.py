"""Plain text of an HTML element: one line per paragraph, site furniture removed."""

from __future__ import annotations

import re
import unicodedata

from lxml import etree
from parsel import Selector

from portalwatch.textnorm import drop_furniture

_BLOCK = frozenset({
    "address", "article", "aside", "blockquote", "br", "center", "dd", "div", "dl", "dt", "fieldset", "figcaption",
    "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main", "nav", "ol", "p",
    "pre", "section", "table", "tbody", "thead", "tfoot", "tr", "ul",
})
_CELL = frozenset({"td", "th"})
_SKIP = frozenset({"script", "style", "noscript", "template", "iframe", "object", "select", "button", "textarea"})
_SPACE = re.compile(r"[ \t\r\f\v\u00a0]+")  # HTML collapses ASCII space; an ideographic space is content
_EDGES = " \t\u00a0\u3000\u2002\u2003\u200b\ufeff"  # indentation and stray marks around a line
def _flat(text: str | None) -> str:
    """Source line breaks inside a paragraph are spaces; only blocks and <br> break lines."""
    return text.replace("\r", " ").replace("\n", " ") if text else ""


def _walk(node: etree._Element, out: list[str]) -> None:
    tag = node.tag if isinstance(node.tag, str) else ""
    if tag in _SKIP or not tag:  # comments and processing instructions carry no text, their tails do
        out.append(_flat(node.tail))
        return
    block = tag in _BLOCK
    if block:
        out.append("\n")
    elif tag in _CELL:
        out.append(" ")
    out.append(_flat(node.text))
    for child in node:
        _walk(child, out)
    if block:
        out.append("\n")
    out.append(_flat(node.tail))


def element_lines(node: etree._Element) -> list[str]:
    """The non-empty lines of `node`'s text, blocks and <br> as line breaks, spaces squeezed."""
    out: list[str] = []
    node_tail, node.tail = node.tail, None
    try:
        _walk(node, out)
    finally:
        node.tail = node_tail
    lines = (_SPACE.sub(" ", unicodedata.normalize("NFC", line)).strip(_EDGES) for line in "".join(out).split("\n"))
    return [line for line in lines if line]


def body_text(nodes: list[etree._Element]) -> str:
    """Article text of the body element(s): paragraphs joined by newlines, furniture dropped."""
    lines: list[str] = []
    for node in nodes:
        lines.extend(element_lines(node))
    return "\n".join(drop_furniture(lines))


def sel_text(sel: Selector) -> str:
    """Text of one selected element as a single line."""
    root = sel.root
    if isinstance(root, str):
        return _SPACE.sub(" ", root.replace("\n", " ")).strip(_EDGES)
    return " ".join(element_lines(root))
