"""Config `selectors` (CSS or XPath) that override what a portal kind extracts."""

from __future__ import annotations

from dataclasses import replace

from parsel import SelectorList

from crawler.extract import dates
from crawler.extract.base import Article, NextPage, PortalKind
from crawler.extract.links import absolute, unique
from crawler.extract.page import Page
from crawler.extract.text import body_text, sel_text
from portalwatch.config import Selectors


def select(page: Page, expression: str) -> SelectorList:
    """XPath when the expression starts like one (/, ./, or a parenthesis), else CSS."""
    if expression.lstrip().startswith(("/", "./", "(")):
        return page.sel.xpath(expression)
    return page.sel.css(expression)


def _hrefs(page: Page, expression: str) -> list[str]:
    urls: list[str] = []
    for node in select(page, expression):
        if isinstance(node.root, str):
            hrefs = [node.root]
        elif node.root.tag == "a":
            hrefs = [node.attrib.get("href", "")]
        else:
            hrefs = node.xpath(".//a/@href").getall()
        urls.extend(url for url in (absolute(page.url, href) for href in hrefs) if url)
    return unique(urls)


class Extractor:
    """A portal kind, with the config's selectors taking precedence field by field."""

    def __init__(self, kind: PortalKind, selectors: Selectors | None = None) -> None:
        self.kind = kind
        self.selectors = selectors or Selectors()

    @property
    def name(self) -> str:
        return self.kind.name

    def list_links(self, page: Page) -> list[str]:
        if self.selectors.list_links:
            return _hrefs(page, self.selectors.list_links)
        return self.kind.list_links(page)

    def next_page(self, page: Page) -> NextPage | None:
        if self.selectors.next_page:
            urls = [url for url in _hrefs(page, self.selectors.next_page) if url != page.url]
            return NextPage(urls[0]) if urls else None
        return self.kind.next_page(page)

    def article(self, page: Page) -> Article:
        chosen = self.selectors
        if chosen.body:
            nodes = [node.root for node in select(page, chosen.body) if not isinstance(node.root, str)]
            article = Article(
                title=self.kind.title(page),
                published=self.kind.published(page, nodes),
                text=body_text(nodes),
                attachments=self.kind.attachments(page, nodes),
            )
        else:
            article = self.kind.article(page)
        if chosen.title:
            found = select(page, chosen.title)
            article = replace(article, title=sel_text(found[0]) if found else "")
        if chosen.date:
            found = select(page, chosen.date)
            article = replace(article, published=dates.find_date(sel_text(found[0])) if found else None)
        return article
