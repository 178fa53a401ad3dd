"""Extractors, one module per portal kind: detection, list links, paging and article fields."""

from __future__ import annotations

from crawler.extract.base import Article, NextPage, PortalKind
from crawler.extract.generic import Generic
from crawler.extract.hanweb import Hanweb
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


__all__ = ["KINDS", "Article", "Extractor", "NextPage", "Page", "PortalKind", "detect", "kind_named"]
