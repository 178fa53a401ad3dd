"""The main text block of an article page, chosen by text and link density (a Readability-style score).

Every run of text a block holds directly (a <p>, a <div> of <br>-separated lines, a table cell) scores
for the element holding it and, at half weight, the one above; sentences (Chinese commas and full
stops) count more than bare length. The candidate with the best score after its link density is taken
off is the body; a candidate that follows the headline, inside the headline's article container,
counts more, so a one-paragraph article beats the sidebar's notice of the same length.
"""

from __future__ import annotations

import copy
import re

from lxml import etree

from crawler.extract import dates
from crawler.extract.text import element_lines

_SKIP = frozenset({"script", "style", "noscript", "template", "iframe", "object", "select", "button", "textarea",
                   "head", "title", "form", "nav", "header", "footer", "aside", "menu"})
_BLOCKS = frozenset({"address", "article", "blockquote", "center", "dd", "div", "dl", "dt", "figure", "h1", "h2",
                     "h3", "h4", "h5", "h6", "hr", "li", "main", "ol", "p", "pre", "section", "table", "tbody",
                     "td", "th", "tr", "ul", "body", "font"})
_NO_TEXT = frozenset({"script", "style", "noscript", "template", ""})
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_CONTAINERS = frozenset({"div", "article", "section", "main", "td", "body", "blockquote", "center", "font"})
_SENTENCE = re.compile(r"[，。；！？,.;!?、：:]")
_META_LINE = 80  # characters: a dated line under the headline this short is its byline
_SENTENCE_END = re.compile(r"[。！？!?]")
_MIN_RUN = 10  # characters: shorter runs (labels, buttons, 详见附件) score in proportion to their length
_MIN_CHARS = 2
_NEAR_HEADLINE = 1.5  # weight of a candidate inside the headline's article container, after it
_HEADLINE_REACH = 3  # levels above the headline that make its article container


def _tag(node: etree._Element) -> str:
    return node.tag if isinstance(node.tag, str) else ""


def _runs(node: etree._Element) -> list[tuple[etree._Element, str]]:
    """(element, text) for each run of text an element holds directly (not inside a child block)."""
    found: list[tuple[etree._Element, str]] = []

    def walk(element: etree._Element) -> None:
        own: list[str] = [element.text or ""]
        for child in element:
            tag = _tag(child)
            if tag in _SKIP or tag in _HEADINGS or not tag:
                pass
            elif tag in _BLOCKS:
                walk(child)
            elif tag == "br":
                own.append("\n")
            elif tag != "a":  # inline markup is part of the run; a link's text is not article text
                own.append(" ".join(element_lines(child)))
            own.append(child.tail or "")
        text = "".join(own)
        for line in text.split("\n"):
            line = " ".join(line.split())
            if len(line) >= _MIN_CHARS:
                found.append((element, line))

    walk(node)
    return found


def _chars(node: etree._Element) -> int:
    """Characters of text under `node` (its tail excluded), whitespace and script/style text left out."""
    if _tag(node) in _NO_TEXT:
        return 0
    count = len("".join((node.text or "").split()))
    for child in node:
        count += _chars(child) + len("".join((child.tail or "").split()))
    return count


def _link_density(node: etree._Element) -> float:
    text = _chars(node)
    if not text:
        return 1.0
    return min(sum(_chars(a) for a in node.iter("a")) / text, 1.0)


def _after(node: etree._Element, headline: etree._Element) -> bool:
    """Whether `node` follows the headline in document order, within the headline's article container."""
    container = headline
    for _ in range(_HEADLINE_REACH):
        parent = container.getparent()
        if parent is None:
            break
        container = parent
    if not any(ancestor is container for ancestor in node.iterancestors()) and node is not container:
        return False
    if any(ancestor is node for ancestor in headline.iterancestors()):
        return False  # the candidate holds the headline: the whole article box, not its text
    for element in headline.itersiblings():
        if element is node or any(ancestor is element for ancestor in node.iterancestors()):
            return True
    for ancestor in headline.iterancestors():
        if ancestor is container:
            break
        for element in ancestor.itersiblings():
            if element is node or any(a is element for a in node.iterancestors()):
                return True
    return False


def main_blocks(root: etree._Element, headline: etree._Element | None = None) -> list[etree._Element]:
    """The element(s) holding the article text under `root` (the page's <body>), in page order; [] if none."""
    scores: dict[etree._Element, float] = {}
    for element, text in _runs(root):
        if len(text) <= _META_LINE and dates.find_date(text) and not _SENTENCE_END.search(text):
            continue  # a dated byline (发布日期：…, 来源) is not article text
        score = (1 + len(_SENTENCE.findall(text)) + min(len(text) / 100, 3)) * min(len(text) / _MIN_RUN, 1)
        holder = element if _tag(element) in _CONTAINERS else element.getparent()
        if holder is None:
            continue
        scores[holder] = scores.get(holder, 0.0) + score
        above = holder.getparent()
        if above is not None:
            scores[above] = scores.get(above, 0.0) + score / 2
    if not scores:
        return []

    def weight(node: etree._Element) -> float:
        near = _NEAR_HEADLINE if headline is not None and _after(node, headline) else 1.0
        return scores[node] * (1 - _link_density(node)) * near

    return [max(scores, key=weight)]


def _without_link_blocks(node: etree._Element) -> etree._Element:
    """A copy of `node` without the blocks that are nothing but links (captions, related links, tag lists)."""
    clone = copy.deepcopy(node)
    for element in list(clone.iter()):
        if element is clone or _tag(element) not in _BLOCKS or element.getparent() is None:
            continue
        if element_lines(element) and _link_density(element) >= 1.0:
            tail = element.tail
            parent = element.getparent()
            previous = element.getprevious()
            parent.remove(element)
            if tail:  # keep the text after the removed block
                if previous is not None:
                    previous.tail = (previous.tail or "") + tail
                else:
                    parent.text = (parent.text or "") + tail
    return clone


def article_lines(node: etree._Element, headline: etree._Element | None = None) -> list[str]:
    """The lines of the body block: link-only blocks removed and, when the block holds the headline, the
    headline and the short dated lines under it (byline, source, time) left out."""
    lines = element_lines(_without_link_blocks(node))
    if headline is None or not any(ancestor is node for ancestor in headline.iterancestors()):
        return lines
    shown = element_lines(headline)
    if not shown or shown[-1] not in lines:
        return lines
    start = lines.index(shown[-1]) + 1
    while start < len(lines) and len(lines[start]) <= _META_LINE and (
            dates.find_date(lines[start]) or dates.short_date(lines[start])):
        start += 1
    return lines[start:]
