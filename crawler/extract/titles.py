"""The article's real title and publication date, found around its body on any page."""

from __future__ import annotations

import re
from datetime import date

import trafilatura
from lxml import etree

from crawler.extract import dates
from crawler.extract.page import Page
from crawler.extract.text import element_lines, sel_text
from portalwatch.textnorm import drop_furniture

_TITLE_META = ("ArticleTitle", "og:title", "title", "twitter:title")
_DATE_META = ("PubDate", "pubdate", "publishdate", "article:published_time", "og:release_date", "firstpublishedtime")
_SITE_SUFFIX = re.compile(r"\s*(?:[_|｜—–]|\s-\s|-(?=[^-]*$))\s*[^_|｜—–]{2,30}$")
_HEADINGS = "//h1 | //h2 | //h3 | //*[contains(@class,'title') or contains(@id,'title')][not(self::title)]"
_PRIMARY_LABEL = re.compile(r"发布(?:时间|日期)\s*[:：]")
_HEADER_LINES = 8
_FOOTER_LINES = 5


def meta(page: Page, names: tuple[str, ...]) -> str:
    """Content of the first non-empty <meta name|property=...> among `names`."""
    for name in names:
        value = page.sel.xpath(f"//meta[@name='{name}' or @property='{name}']/@content").get()
        if value and value.strip():
            return " ".join(value.split())
    return ""


def best_title(page: Page) -> str:
    """Meta ArticleTitle, else the heading that the <title> repeats, else <title> without the site name."""
    found = meta(page, _TITLE_META)
    if found:
        return found
    page_title = " ".join((page.sel.xpath("//title/text()").get() or "").split())
    headings = [sel_text(h) for h in page.sel.xpath(_HEADINGS)]
    headings = [h for h in headings if 4 <= len(h) <= 200]
    if page_title:
        inside = [h for h in headings if h in page_title]
        if inside:
            return max(inside, key=len)
        return _SITE_SUFFIX.sub("", page_title) or page_title
    return headings[0] if headings else ""


def _date_in(lines: list[str]) -> date | None:
    text = "\n".join(lines)
    primary = _PRIMARY_LABEL.search(text)
    if primary:
        found = dates.find_date(text[primary.end():primary.end() + 30])
        if found:
            return found
    return dates.labelled_date(text) or dates.find_date(text)


def header_date(page: Page, body: list[etree._Element]) -> date | None:
    """The date in the meta tags, else written just above the body (or just below it)."""
    found = dates.find_date(meta(page, _DATE_META))
    if found:
        return found
    for css in ("#pubtime_baidu", ".pubtime", "time"):
        node = page.sel.css(css)
        if node:
            found = dates.find_date(node.attrib.get("datetime", "") or sel_text(node[0]))
            if found:
                return found
    found_body = page.sel.xpath("//body")
    if not found_body:
        return None
    lines = element_lines(found_body[0].root)
    first = element_lines(body[0]) if body else []
    start = lines.index(first[0]) if first and first[0] in lines else len(lines)
    end = start + len(first)
    before = _date_in(lines[max(0, start - _HEADER_LINES):start])
    return before or _date_in(lines[end:end + _FOOTER_LINES])


def trafilatura_text(page: Page) -> str:
    """The main text as trafilatura sees it, furniture removed (the fallback for unknown layouts)."""
    extracted = trafilatura.extract(page.html, url=page.url, include_comments=False, include_tables=True,
                                    favor_precision=True, deduplicate=False)
    if not extracted:
        return ""
    lines = [line.strip() for line in extracted.splitlines() if line.strip()]
    return "\n".join(drop_furniture(lines))
