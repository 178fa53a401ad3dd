"""The main text block of an article page, chosen by text and link density (a Readability-style score).

Every run of text a block holds directly (a <p>, a <div> of <br>-separated lines, a table cell) scores
for the element holding it and, at half weight, the one above; sentences (Chinese commas and full
stops) count more than bare length. The candidate with the best score after its link density is taken
off is the body; a candidate that follows the headline, inside the headline's article container,
counts more, and the block holding the first paragraph right under the headline counts most, so a
one-paragraph article beats the sidebar's longer notice. Paragraphs written as <div>s (each in a <div>
of its own, maybe wrapped) score for their container as <p>s do; hidden elements (display:none) count
for nothing and are left out of the text.
"""

from __future__ import annotations

import copy
import re
from collections import Counter

from lxml import etree

from crawler.extract import dates
from crawler.extract.text import element_lines

# A <form> is walked like a <div>: ASP.NET pages wrap the whole page in one, and some CMSs (VSB) the article.
_SKIP = frozenset({"script", "style", "noscript", "template", "iframe", "object", "select", "button", "textarea",
                   "head", "title", "nav", "header", "footer", "aside", "menu"})
_BLOCKS = frozenset({"address", "article", "blockquote", "center", "dd", "div", "dl", "dt", "figure", "h1", "h2",
                     "h3", "h4", "h5", "h6", "hr", "li", "main", "ol", "p", "pre", "section", "table", "tbody",
                     "td", "th", "tr", "ul", "body", "font", "form"})
_NO_TEXT = frozenset({"script", "style", "noscript", "template", ""})
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_CONTAINERS = frozenset({"div", "article", "section", "main", "td", "body", "blockquote", "center", "font", "form"})
_SENTENCE = re.compile(r"[，。；！？,.;!?、：:]")
_META_LINE = 80  # characters: a dated line under the headline this short is its byline
_SENTENCE_END = re.compile(r"[。！？!?]")
_PROSE = re.compile(r"[，。；！？]")  # a run of prose, not a byline, a font-size bar or a source line
_MIN_RUN = 10  # characters: shorter runs (labels, buttons, 详见附件) score in proportion to their length
_MIN_CHARS = 2
_NEAR_HEADLINE = 1.5  # weight of a candidate inside the headline's article container, after it
_HEADLINE_REACH = 3  # levels above the headline that make its article container
_FOLLOWS_WITHIN = 200  # characters of text (a byline, a share bar) between the headline and the first paragraph
_FOLLOWS = 5.0  # weight of the block holding the first paragraph under the headline (a short article
# beats a longer notice elsewhere)
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
_PARAGRAPH_DIVS = frozenset({"div", "section", "article", "center", "font"})  # not cells: a td is a column


def _tag(node: etree._Element) -> str:
    return node.tag if isinstance(node.tag, str) else ""


def hidden(node: etree._Element) -> bool:
    """Whether the element is not shown (the hidden attribute, display:none or visibility:hidden)."""
    return node.get("hidden") is not None or bool(_HIDDEN_STYLE.search(node.get("style") or ""))


def _runs(node: etree._Element) -> list[tuple[etree._Element, str]]:
    """(element, text) for each run of text an element holds directly (not inside a child block)."""
    found: list[tuple[etree._Element, str]] = []

    def walk(element: etree._Element) -> None:
        own: list[str] = [element.text or ""]
        for child in element:
            tag = _tag(child)
            if tag in _SKIP or tag in _HEADINGS or not tag or hidden(child):
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


def _one_run(element: etree._Element, lines_of: Counter[int]) -> bool:
    """A <div> holding one run of text and no block (a paragraph written as a <div>)."""
    return (_tag(element) in _PARAGRAPH_DIVS and lines_of[id(element)] == 1
            and not any(_tag(child) in _BLOCKS for child in element))


def _wrapper_of(element: etree._Element) -> etree._Element:
    """The outermost <div> that holds nothing but `element` (each paragraph in a <div> of its own)."""
    unit = element
    parent = unit.getparent()
    while (parent is not None and _tag(parent) in _PARAGRAPH_DIVS and len(parent) == 1
           and not (parent.text or "").strip() and not (unit.tail or "").strip()):
        unit, parent = parent, parent.getparent()
    return unit


def _paragraph_holders(runs: list[tuple[etree._Element, str]]) -> dict[int, etree._Element]:
    """For the one-run <div>s that stand beside another one (a text written in <div>s rather than <p>s),
    the container they are paragraphs of; a lone one is the container itself."""
    lines_of = Counter(id(element) for element, _text in runs)
    units = {id(element): _wrapper_of(element) for element, _text in runs if _one_run(element, lines_of)}
    per_parent = Counter(unit.getparent() for unit in units.values())  # elements as keys stay alive
    return {key: unit.getparent() for key, unit in units.items()
            if unit.getparent() is not None and per_parent[unit.getparent()] >= 2}


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


def _after(node: etree._Element, headline: etree._Element, reach: int = _HEADLINE_REACH) -> bool:
    """Whether `node` follows the headline in document order, within `reach` levels above the headline."""
    container = headline
    for _ in range(reach):
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


def _offsets(root: etree._Element) -> tuple[dict[etree._Element, int], dict[etree._Element, int]]:
    """Characters of text (whitespace left out) before each element's start and before its end."""
    starts: dict[etree._Element, int] = {}
    ends: dict[etree._Element, int] = {}
    count = 0
    for event, element in etree.iterwalk(root, events=("start", "end")):
        if event == "start":
            starts[element] = count
            if _tag(element) not in _NO_TEXT:
                count += len("".join((element.text or "").split()))
        else:
            ends[element] = count
            if element is not root:
                count += len("".join((element.tail or "").split()))
    return starts, ends


def _first_paragraph(runs: list[tuple[etree._Element, str]], headline: etree._Element,
                     starts: dict[etree._Element, int], ends: dict[etree._Element, int]) -> etree._Element | None:
    """The element holding the first run of prose after the headline, if it starts right under it (only a
    byline or a share bar between them)."""
    after = [element for element, text in runs
             if len(text) >= _MIN_RUN and _PROSE.search(text) and starts.get(element, -1) >= ends[headline]]
    if not after:
        return None
    first = min(after, key=lambda element: starts[element])
    return first if starts[first] - ends[headline] <= _FOLLOWS_WITHIN else None


def main_blocks(root: etree._Element, headline: etree._Element | None = None) -> list[etree._Element]:
    """The element(s) holding the article text under `root` (the page's <body>), in page order; [] if none."""
    scores: dict[etree._Element, float] = {}
    # a dated byline (发布日期：…, 来源) is not article text, nor a paragraph beside the text's own
    kept = [(element, text) for element, text in _runs(root)
            if not (len(text) <= _META_LINE and dates.find_date(text) and not _SENTENCE_END.search(text))]
    paragraphs = _paragraph_holders(kept)
    for element, text in kept:
        score = (1 + len(_SENTENCE.findall(text)) + min(len(text) / 100, 3)) * min(len(text) / _MIN_RUN, 1)
        holder = paragraphs.get(id(element))
        if holder is None:
            holder = element if _tag(element) in _CONTAINERS else element.getparent()
        if holder is None:
            continue
        scores[holder] = scores.get(holder, 0.0) + score
        above = holder.getparent()
        if above is not None:
            scores[above] = scores.get(above, 0.0) + score / 2
    if not scores:
        return []

    starts, ends = _offsets(root)
    first = _first_paragraph(kept, headline, starts, ends) if headline in ends else None
    opening = {node for node in (first, *first.iterancestors()) if starts.get(node, -1) >= ends[headline]} if (
        first is not None) else set()  # the first paragraph's element and the blocks around it below the headline
    after = {node for node in scores if headline is not None and _after(node, headline)}

    def weight(node: etree._Element, opening_counts: bool) -> float:
        near = _FOLLOWS if opening_counts and node in opening else _NEAR_HEADLINE if node in after else 1.0
        return scores[node] * (1 - _link_density(node)) * near

    best = max(scores, key=lambda node: weight(node, False))
    if best in opening or not opening or (
            _after(best, headline, reach=1) and starts[best] < max(ends[node] for node in opening)):
        return [best]
    # the best block lies outside the headline's own box (a sidebar notice), or after the block that opens
    # right under the headline (comments, related summaries): that block wins unless it is far weaker (a short
    # article is kept whole)
    return [max(scores, key=lambda node: weight(node, True))]


def _without_link_blocks(node: etree._Element) -> etree._Element:
    """A copy of `node` without hidden elements and the blocks that are nothing but links (captions, related
    links, tag lists)."""
    clone = copy.deepcopy(node)
    for element in list(clone.iter()):
        if element is clone or element.getparent() is None or not (_tag(element) in _BLOCKS or hidden(element)):
            continue
        if hidden(element) or (element_lines(element) and _link_density(element) >= 1.0):
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


def _dated(line: str) -> bool:
    """A short line showing a date (with or without its year)."""
    return len(line) <= _META_LINE and bool(dates.find_date(line) or dates.short_date(line))


def _byline(line: str) -> bool:
    """A short dated line without a full sentence: 发布时间、来源 under a headline."""
    return _dated(line) and not _SENTENCE_END.search(line)


def article_lines(node: etree._Element, headline: etree._Element | None = None) -> list[str]:
    """The lines of the body block: link-only blocks removed, and the headline and the short dated lines
    under it (byline, source, time) left out, whether the block holds the headline or starts under it."""
    lines = element_lines(_without_link_blocks(node))
    start = 0
    if headline is not None and any(ancestor is node for ancestor in headline.iterancestors()):
        shown = element_lines(headline)
        if not shown or shown[-1] not in lines:
            return lines
        start = lines.index(shown[-1]) + 1
        while start < len(lines) and _dated(lines[start]):
            start += 1
    while start < len(lines) - 1 and _byline(lines[start]):
        start += 1
    return lines[start:]
