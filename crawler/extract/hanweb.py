"""Hanweb JCMS (大汉) sites: datastore XML in the column page, dataproxy.jsp POST paging, ZJEG_RSS bodies."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

from lxml import etree, html
from w3lib.html import replace_entities

from crawler.extract.base import NextPage, PortalKind
from crawler.extract.links import absolute, unique
from crawler.extract.page import Page

_RECORD = re.compile(r"<record>\s*<!\[CDATA\[(.*?)\]\]>\s*</record>", re.DOTALL | re.IGNORECASE)
_HREF = re.compile(r"""href\s*=\s*["']?([^"'\s>]+)""", re.IGNORECASE)
_NEXTGROUP = re.compile(r"<nextgroup>\s*<!\[CDATA\[(.*?)\]\]>", re.DOTALL | re.IGNORECASE)
_TOTAL = re.compile(r"(?:totalRecord|<totalrecord>)\s*[:=]?\s*['\"]?(\d+)", re.IGNORECASE)
_PER_PAGE = re.compile(r"perPage\s*[:=]\s*['\"]?(\d+)", re.IGNORECASE)
_BODY = re.compile(r"<!--\s*ZJEG_RSS\.content\.begin\s*-->(.*?)<!--\s*ZJEG_RSS\.content\.end\s*-->",
                   re.DOTALL | re.IGNORECASE)
_FORM_FIELDS = ("col", "appid", "webid", "path", "columnid", "sourceContentType", "unitid", "webname",
                "permissiontype")
PROXY = "/module/web/jpage/dataproxy.jsp"


def records(text: str) -> list[str]:
    """The HTML fragments of a datastore's records."""
    return _RECORD.findall(text)


def _int(pattern: re.Pattern[str], text: str) -> int | None:
    match = pattern.search(text)
    return int(match.group(1)) if match else None


def _proxy_form(page: Page) -> tuple[str, dict[str, str]] | None:
    """The dataproxy URL and form fields named by the column page (nextgroup link and jpage script)."""
    group = _NEXTGROUP.search(page.html)
    link = _HREF.search(group.group(1)) if group else None
    if link is None:
        return None
    url = urljoin(page.url, replace_entities(link.group(1)))
    query = dict(parse_qsl(urlsplit(url).query))
    form = {key: query[key] for key in _FORM_FIELDS if key in query}
    form.setdefault("col", "1")
    form.setdefault("appid", "1")
    form.setdefault("path", "/")
    form.setdefault("permissiontype", "0")
    return urljoin(page.url, urlsplit(url).path or PROXY), form


class Hanweb(PortalKind):
    name = "hanweb"

    def detect(self, page: Page) -> bool:
        return "<datastore>" in page.html or "dataproxy.jsp" in page.html or "ZJEG_RSS.content" in page.html

    def list_links(self, page: Page) -> list[str]:
        found = records(page.html)
        if not found:
            return super().list_links(page)
        urls = [absolute(page.url, href) for record in found for href in _HREF.findall(record)]
        return unique([url for url in urls if url])

    def next_page(self, page: Page) -> NextPage | None:
        count = len(records(page.html))
        if not count:
            return None
        total = _int(_TOTAL, page.html)
        if page.form:  # a dataproxy answer: continue after its endrecord
            query = dict(parse_qsl(urlsplit(page.url).query))
            start, end = int(query.get("startrecord", 1)), int(query.get("endrecord", count))
            if count < end - start + 1:
                return None
            per_page, form, proxy = query.get("perpage", str(count)), page.form, page.url.split("?", 1)[0]
        else:
            found = _proxy_form(page)
            if found is None:
                return None
            proxy, form = found
            start, end = 1, count
            per_page = str(_int(_PER_PAGE, page.html) or count)
        size = end - start + 1
        if total is not None and end >= total:
            return None
        query = urlencode({"startrecord": end + 1, "endrecord": end + size, "perpage": per_page})
        return NextPage(f"{proxy}?{query}", form=dict(form))

    def body(self, page: Page) -> list[etree._Element]:
        match = _BODY.search(page.html)
        if match and match.group(1).strip():
            return [html.fragment_fromstring(match.group(1), create_parent="div")]
        return super().body(page)
