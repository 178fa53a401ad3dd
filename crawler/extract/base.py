"""What every portal kind provides, with defaults that work on plain pages (the generic kind)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from lxml import etree

from crawler.extract import listing, pager, pubdate, titles, xxgk
from crawler.extract.body import article_lines, main_blocks
from crawler.extract.links import ATTACHMENT, absolute, is_attachment, unique
from crawler.extract.page import Page
from crawler.extract.text import body_text


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
    article_url: re.Pattern[str] | None = None  # the article URL form of the portal software, if it has one

    def detect(self, page: Page) -> bool:
        return True

    # --- list pages --------------------------------------------------------------------------
    def list_links(self, page: Page) -> list[str]:
        """The links of the page's main list (repeated blocks of title-like links), attachments included."""
        return listing.main_list(page, self.article_url)

    def next_page(self, page: Page) -> NextPage | None:
        """A 下一页/next link, a numbered pager's next number, createPageHTML's next file, or ?page=N+1."""
        url = pager.next_url(page)
        return NextPage(url) if url else None

    # --- article pages -----------------------------------------------------------------------
    def body(self, page: Page) -> list[etree._Element]:
        """The element(s) holding the article text: the kind's known container, else the densest text block."""
        for css in self.body_css:
            found = page.sel.css(css)
            if found:
                return [found[0].root]
        root = page.sel.xpath("//body")
        if not root:
            return []
        return main_blocks(root[0].root, titles.headline(page).element)

    def title(self, page: Page) -> str:
        return titles.best_title(page)

    def published(self, page: Page, body: list[etree._Element]) -> date | None:
        return pubdate.published(page, titles.headline(page), body)

    def attachments(self, page: Page, body: list[etree._Element]) -> list[str]:
        """PDF/DOC/XLS/ZIP links of the body and of the page around it (portals list them under the body)."""
        anchors = [a for node in body for a in node.iter("a")]
        anchors += [a.root for a in page.sel.xpath("//body//a[@href]")]
        files = [a for a in anchors
                 if ATTACHMENT.search(_path_of(a.get("href"))) and not listing.in_semantic_furniture(a)]
        found = (absolute(page.url, a.get("href")) for a in files)
        return unique([url for url in found if url and is_attachment(url)])

    def article(self, page: Page) -> Article | None:
        """Title, date, text and attachments; None when the page holds no article text."""
        body = self.body(page)
        head = titles.headline(page)
        # An empty body element is an empty article; only a page without one goes to trafilatura.
        if body:
            text = body_text(body, lambda node: article_lines(node, head.element))
        else:
            text = titles.trafilatura_text(page)
        return Article(
            title=self.title(page),
            published=self.published(page, body),
            text=text,
            attachments=self.attachments(page, body),
            meta=xxgk.metadata(page),
        )


def _path_of(href: str | None) -> str:
    """The path part of an href as written (query and fragment cut), for a quick look at its extension."""
    return (href or "").split("#", 1)[0].split("?", 1)[0].strip()
