"""The article's headline: the heading element that agrees with <title> or a meta title, not either alone."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import trafilatura
from lxml import etree
from w3lib.html import remove_tags, replace_entities

from crawler.extract import dates
from crawler.extract.body import hidden, main_blocks
from crawler.extract.links import absolute
from crawler.extract.page import Page
from crawler.extract.text import element_lines
from portalwatch.textnorm import drop_furniture

_TITLE_META = ("ArticleTitle", "og:title", "twitter:title", "title", "headline")
# Separators between a headline and the site or column names after it: 标题_栏目_网站, 标题 | 网站, 标题 - 网站.
_SEPARATOR = re.compile(r"\s*(?:[_|｜]|\s[-—–]+\s)\s*")
# Also a bare hyphen: 标题-网站 (only to match a heading against <title>; a headline may hold one itself).
_ANY_SEPARATOR = re.compile(r"\s*(?:[_|｜]|\s[-—–]+\s|——|--|—|–|-)\s*")
_HEADINGS = (
    "//h1 | //h2 | //h3 | //h4 | //h5 | //h6"
    " | //*[contains(@class,'title') or contains(@id,'title') or contains(@class,'Title') or contains(@id,'Title')"
    " or contains(@class,'headline') or contains(@class,'tit')][not(self::title)][not(self::html)][not(self::body)]"
)
# Elements without block children that may show the headline on pages without a heading element.
_PLAIN_BLOCKS = ("//body//*[self::td or self::div or self::p or self::span or self::strong or self::b or self::font"
                 " or self::center][not(.//div or .//p or .//table or .//ul or .//li or .//br)]")
_EXACT = 2.0  # agreement of a headline equal to the title's first segments or to one whole segment
_HEADING_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_SHORT_LEAD = 8  # characters: a <title> that opens with fewer names a column (通知公告, 新闻动态), not the headline
_MIN, _MAX = 4, 200
_MIN_ABOVE = 6  # characters of a headline found by its place alone (no <title> or meta agrees)
_LABEL_END = re.compile(r"[:：]$")  # 分享到： is a label, not a headline
_AGREE = 0.6  # a heading must cover this share of the title's first segment to agree with it


@dataclass
class Headline:
    """The headline text and the element showing it (None when it came from <title> or meta)."""

    text: str
    element: etree._Element | None = None


def squash(text: str) -> str:
    """NFKC, whitespace removed: the form in which two spellings of one headline compare equal."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or ""))


def meta(page: Page, names: tuple[str, ...]) -> list[str]:
    """Contents of <meta name|property=...> among `names`, markup and entities removed, in `names` order."""
    values: list[str] = []
    for name in names:
        for value in page.sel.xpath(f"//meta[@name='{name}' or @property='{name}' or @itemprop='{name}']/@content"):
            text = " ".join(remove_tags(replace_entities(value.get())).split())
            if text:
                values.append(text)
    return values


def page_title(page: Page) -> str:
    return " ".join((page.sel.xpath("//head/title/text() | //title/text()").get() or "").split())


def segments(title: str, separator: re.Pattern[str] = _SEPARATOR) -> list[str]:
    """The parts of a <title> between separators; the headline is one of them (usually the first)."""
    return [part for part in separator.split(title) if part.strip()]


def agreement(heading: str, reference: str) -> float:
    """How surely `heading` is the headline that `reference` (<title> or a meta title) names; 0: it is not.

    3: equal to the reference or to its first segments; 2: one whole segment; below 2: most of the
    reference's first segment, or that segment plus a little (the closer in length, the higher).
    """
    head, whole = squash(heading), squash(reference)
    if not head or not whole:
        return 0.0
    parts = [squash(p) for p in segments(reference, _ANY_SEPARATOR)] or [whole]
    prefixes = {squash(reference[:m.start()]) for m in _ANY_SEPARATOR.finditer(reference)}  # separators kept inside
    if head == whole or head in prefixes:
        return 3.0
    if len(head) >= 8 and head in parts:
        return 2.0
    first = parts[0]
    if len(first) < _MIN or not (head in first or first in head):  # a site name further on is no headline
        return 0.0
    closeness = min(len(head), len(first)) / max(len(head), len(first))
    return closeness if closeness >= _AGREE else 0.0


def _links_away(page: Page, element: etree._Element, text: str) -> bool:
    """Whether all of the element's text is a link to another page (a logo, a related item): no headline."""
    anchors = list(element.iter("a"))
    if not anchors or squash(" ".join(" ".join(element_lines(a)) for a in anchors)) != squash(text):
        return False
    own = page.url.split("://", 1)[-1].split("#", 1)[0]
    return all((absolute(page.url, a.get("href")) or own).split("://", 1)[-1].split("#", 1)[0] != own
               for a in anchors)


def _headings(page: Page) -> list[tuple[str, etree._Element]]:
    found: list[tuple[str, etree._Element]] = []
    for node in page.sel.xpath(_HEADINGS):
        element = node.root
        if any(ancestor.tag in ("head", "a") for ancestor in element.iterancestors()):
            continue
        text = " ".join(element_lines(element))
        if _MIN <= len(text) <= _MAX and not _links_away(page, element, text):
            found.append((text, element))
    return found


def _shown_elsewhere(page: Page, references: list[str]) -> list[tuple[float, str, etree._Element]]:
    """Elements other than headings (a <td>, <strong>, <div> of big text) that show a reference's headline
    exactly: equal to the title's first segments or to one whole segment."""
    found: list[tuple[float, str, etree._Element]] = []
    for node in page.sel.xpath(_PLAIN_BLOCKS):
        element = node.root
        if any(ancestor.tag in ("head", "a") for ancestor in element.iterancestors()):
            continue
        text = " ".join(element_lines(element))
        if not _MIN <= len(text) <= _MAX:
            continue
        score = max((agreement(text, ref) for ref in references), default=0.0)
        if score >= _EXACT:
            found.append((score, text, element))
    return found


def headline(page: Page) -> Headline:
    """The heading that <title> or a meta title repeats (else another element showing it exactly); else a
    meta title that <title> repeats; else the first segment of <title>; else the first <h1>."""
    if "headline" not in page.memo:
        page.memo["headline"] = _find_headline(page)
    return page.memo["headline"]  # type: ignore[return-value]


def _find_headline(page: Page) -> Headline:
    title = page_title(page)
    metas = meta(page, _TITLE_META)
    references = [ref for ref in (title, *metas) if ref]
    scored = [(max((agreement(text, ref) for ref in references), default=0.0), text, el)
              for text, el in _headings(page)]
    scored = [item for item in scored if item[0] > 0]
    if not any(item[0] >= _EXACT for item in scored):
        scored += _shown_elsewhere(page, references)
    if scored:
        _score, text, element = max(scored, key=lambda item: (item[0], item[2].tag in _HEADING_TAGS))
        return Headline(text, element)
    for value in metas:
        if title and agreement(value, title):
            return Headline(value)
    lead = (segments(title) or [title])[0] if title else ""
    if lead and len(squash(lead)) >= _SHORT_LEAD and _shown(page, lead):
        return Headline(lead)
    above = _heading_above_text(page)  # <title> names only the site or the column: the heading over the text
    if above is not None:
        return Headline(*above)
    if lead and _shown(page, lead):
        return Headline(lead)
    if lead:
        return Headline(lead)
    return Headline(metas[0] if metas else "")


def _shown(page: Page, text: str) -> bool:
    """Whether the page's body shows `text` outside links (a <title> naming only the site is at most a logo)."""
    shown = page.sel.xpath("//body//text()[not(ancestor::a)][not(ancestor::script)][not(ancestor::style)]").getall()
    return squash(text) in squash("".join(shown))


def _rank(element: etree._Element) -> int:
    """h1 first, then h2 ... h6, then other title-like elements."""
    return int(element.tag[1]) if element.tag in _HEADING_TAGS else 7


def _heading_above_text(page: Page) -> tuple[str, etree._Element] | None:
    """The heading nearest above the page's main text block: of the headings standing together there
    (a headline and its subtitle), the highest-ranked; links (a logo, a related item), hidden elements and
    labels are no headline."""
    root = page.sel.xpath("//body")
    if not root:
        return None
    blocks = main_blocks(root[0].root)
    if not blocks:
        return None
    order = {element: index for index, element in enumerate(root[0].root.iter())}
    text_start = min((order[el] for el in blocks[0].iter() if el in order and (el.text or "").strip()),
                     default=order.get(blocks[0], 0))
    above = [(text, el) for text, el in _headings(page)
             if order.get(el, text_start) < text_start and len(squash(text)) >= _MIN_ABOVE
             and not dates.find_date(text) and not _LABEL_END.search(text)
             and not any(hidden(node) for node in (el, *el.iterancestors()))]
    if not above:
        return None
    nearest = max(above, key=lambda item: order[item[1]])[1]
    together = [item for item in above if item[1].getparent() is nearest.getparent()]
    chosen = min(together, key=lambda item: (_rank(item[1]), order[item[1]]))
    # the same headline shown again (a sticky bar's copy): the best-ranked element showing it
    same = [item for item in above if squash(item[0]) == squash(chosen[0])]
    return min(same, key=lambda item: (_rank(item[1]), order[item[1]]))


def best_title(page: Page) -> str:
    return headline(page).text


def trafilatura_text(page: Page) -> str:
    """The main text as trafilatura sees it, furniture removed (the fallback for unknown layouts)."""
    extracted = trafilatura.extract(page.html, url=page.url, include_comments=False, include_tables=True,
                                    favor_precision=True, deduplicate=False)
    if not extracted:
        return ""
    lines = [line.strip() for line in extracted.splitlines() if line.strip()]
    return "\n".join(drop_furniture(lines))
