"""Extractors, one module per portal kind: detection, list links, paging and article fields."""

from __future__ import annotations

from collections.abc import Container

from crawler.extract.base import Article, NextPage, PortalKind
from crawler.extract.generic import Generic
from crawler.extract.hanweb import Hanweb
from crawler.extract.links import is_article_candidate, is_document_candidate, same_page
from crawler.extract.news import News
from crawler.extract.oldqd import OldQingdao
from crawler.extract.overrides import Extractor
from crawler.extract.page import Page
from crawler.extract.park import Park
from crawler.extract.trs import Trs

# Most specific first: a Hanweb page may also carry TRS-like meta tags; generic matches anything.
KINDS: tuple[PortalKind, ...] = (Hanweb(), Trs(), OldQingdao(), News(), Park(), Generic())


def kind_named(name: str) -> PortalKind:
    for kind in KINDS:
        if kind.name == name:
            return kind
    raise KeyError(name)


def detect(page: Page) -> PortalKind:
    """The first kind whose markers the page carries."""
    return next(kind for kind in KINDS if kind.detect(page))


def list_links(page: Page, extractor: Extractor, hosts: Container[str]) -> list[str]:
    """The list page's article links the crawl follows: articles and listed documents on the portal's hosts."""
    return [url for url in extractor.list_links(page)
            if (is_article_candidate(url, hosts) or is_document_candidate(url, hosts)) and not same_page(url, page.url)]


def may_build_by_script(body: bytes) -> bool:
    """Whether a page carries a script: one that gives no article link as served may build its list by script
    (`render: auto` and probe then try it in the browser)."""
    return b"<script" in body.lower()


__all__ = ["KINDS", "Article", "Extractor", "NextPage", "Page", "PortalKind", "detect", "kind_named", "list_links",
           "may_build_by_script"]
