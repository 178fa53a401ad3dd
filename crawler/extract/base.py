"""What every portal kind provides, with defaults that work on plain pages (the generic kind)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from lxml import etree

from crawler.extract import dates, titles, xxgk
from crawler.extract.links import absolute, is_attachment, unique
from crawler.extract.page import Page
from crawler.extract.text import body_text, sel_text

_NEXT_TEXT = re.compile(r"下一页|下页|后一?页|更早|较早|以前的|older|next|›|»|^\s*>\s*$", re.IGNORECASE)
_PREVIOUS_TEXT = re.compile(r"上一页|上页|前一?页|较新|更新的|newer|prev|‹|«", re.IGNORECASE)
_FURNITURE_AREAS = {"nav", "header", "footer", "menu"}
# A class or id word that names site furniture: main-nav, topnav, site-header, breadcrumb, hotline, sidebar...
_FURNITURE_WORD = re.compile(
    r"^(?:nav|menu|header|head$|foot|crumb|banner|side|hot|rank|friend|links?$|top$)|(?:nav|menu|header|footer|crumb|bar)$",
    re.IGNORECASE,
)
_WORD_SPLIT = re.compile(r"[\s_-]+")
_MIN_TITLE = 6  # article links carry a title; navigation links are short
_MIN_BODY = 20


@dataclass
class Article:
    """The fields of one article page."""

    title: str
    published: date | None
    text: str
    attachments: list[str] = field(default_factory=list)
    meta: dict[str, str] = field(default_factory=dict)  # the xxgk table: 索引号, 发布机构, 文号, 成文日期 ...


@dataclass(frozen=True)
class NextPage:
    """The next list page: a plain GET, or a POST with a form (Hanweb's dataproxy)."""

    url: str
    form: dict[str, str] | None = None


class PortalKind:
    """Defaults for an unknown site; each known kind overrides what its markup makes exact."""

    name = "generic"
    body_css: tuple[str, ...] = ()

    def detect(self, page: Page) -> bool:
        return True

    # --- list pages --------------------------------------------------------------------------
    def list_links(self, page: Page) -> list[str]:
        """Links of the largest group of title-like links in the same place of repeated markup."""
        groups: dict[tuple[str, ...], list[str]] = {}
        for anchor in page.sel.xpath("//body//a[@href]"):
            element = anchor.root
            if len(sel_text(anchor)) < _MIN_TITLE or _in_furniture(element):
                continue
            url = absolute(page.url, anchor.attrib.get("href"))
            if url and not is_attachment(url):
                groups.setdefault(_signature(element), []).append(url)
        if not groups:
            return []
        return unique(max(groups.values(), key=len))

    def next_page(self, page: Page) -> NextPage | None:
        """The link labelled 下一页 / 更早的文章 / next, or rel=next."""
        for anchor in page.sel.xpath("//a[@href]"):
            label = sel_text(anchor)
            forward = _NEXT_TEXT.search(label) and not _PREVIOUS_TEXT.search(label)
            if anchor.attrib.get("rel") == "next" or forward:
                url = absolute(page.url, anchor.attrib.get("href"))
                if url and url != page.url:
                    return NextPage(url)
        return None

    # --- article pages -----------------------------------------------------------------------
    def body(self, page: Page) -> list[etree._Element]:
        """The element(s) holding the article text."""
        for css in self.body_css:
            found = page.sel.css(css)
            if found:
                return [found[0].root]
        best = _densest(page)
        return [best] if best is not None else []

    def title(self, page: Page) -> str:
        return titles.best_title(page)

    def published(self, page: Page, body: list[etree._Element]) -> date | None:
        return titles.header_date(page, body) or dates.url_date(page.url)

    def attachments(self, page: Page, body: list[etree._Element]) -> list[str]:
        """PDF/DOC/XLS/ZIP links of the body and of the page around it (portals list them under the body)."""
        anchors = [a for node in body for a in node.iter("a")]
        anchors += [a.root for a in page.sel.xpath("//body//a[@href]") if not _in_furniture(a.root)]
        found = (absolute(page.url, a.get("href")) for a in anchors)
        return unique([url for url in found if url and is_attachment(url)])

    def article(self, page: Page) -> Article | None:
        """Title, date, text and attachments; None when the page holds no article text."""
        body = self.body(page)
        # An empty body element is an empty article; only a page without one goes to trafilatura.
        text = body_text(body) if body else titles.trafilatura_text(page)
        return Article(
            title=self.title(page),
            published=self.published(page, body),
            text=text,
            attachments=self.attachments(page, body),
            meta=xxgk.metadata(page),
        )


def _in_furniture(element: etree._Element) -> bool:
    for ancestor in element.iterancestors():
        if ancestor.tag in _FURNITURE_AREAS:
            return True
        words = _WORD_SPLIT.split(f"{ancestor.get('id', '')} {ancestor.get('class', '')}")
        if any(_FURNITURE_WORD.search(word) for word in words if word):
            return True
    return False


def _signature(element: etree._Element) -> tuple[str, ...]:
    """Tag and class of the element and its ancestors: the same for every entry of a list."""
    return tuple(f"{node.tag}.{node.get('class', '')}" for node in (element, *element.iterancestors()))


def _densest(page: Page) -> etree._Element | None:
    """The element whose direct <p> children hold the most text (the classic main-content guess)."""
    scores: dict[etree._Element, int] = {}
    for paragraph in page.sel.xpath("//body//p"):
        parent = paragraph.root.getparent()
        if parent is not None and not _in_furniture(paragraph.root):
            scores[parent] = scores.get(parent, 0) + len(sel_text(paragraph))
    if not scores:
        return None
    best, score = max(scores.items(), key=lambda kv: kv[1])
    return best if score >= _MIN_BODY else None
