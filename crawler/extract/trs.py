"""TRS WCM sites (most Chinese government portals): createPageHTML paging, TRS_Editor bodies, meta tags."""

from __future__ import annotations

import re
from urllib.parse import urljoin

from crawler.extract.base import NextPage, PortalKind
from crawler.extract.page import Page

_PAGER = re.compile(r"createPageHTML\s*\(([^)]*)\)")
_ARG = re.compile(r"""(-?\d+)|["']([^"']*)["']""")
_ARTICLE_URL = re.compile(r"/t\d{8}_\d+\.s?html?$")


def pager(html: str) -> tuple[int, int, str, str] | None:
    """(page count, current page from 0, file stem, extension) of the createPageHTML call."""
    for call in _PAGER.finditer(html):  # skip the function's own definition: its arguments are names
        numbers: list[int] = []
        strings: list[str] = []
        for number, string in _ARG.findall(call.group(1)):
            if number:
                numbers.append(int(number))
            else:
                strings.append(string)
        if len(numbers) >= 2 and len(strings) >= 2:
            # Old form: createPageHTML(count, current, "index", "shtml"); the new form puts a div id
            # first and the record total last: createPageHTML("page_div", count, current, "index", "shtml", total).
            return numbers[0], numbers[1], strings[-2], strings[-1]
    return None


class Trs(PortalKind):
    name = "trs"
    article_url = _ARTICLE_URL
    body_css = ("div.TRS_Editor", "div.TRS_UEDITOR", ".Custom_UnionStyle", "#zoom")

    def detect(self, page: Page) -> bool:
        html = page.html
        return "createPageHTML" in html or "TRS_Editor" in html or "TRS_UEDITOR" in html


    def next_page(self, page: Page) -> NextPage | None:
        found = pager(page.html)
        if found is None:
            return super().next_page(page)
        count, current, stem, ext = found
        if current + 1 >= count:
            return None
        return NextPage(urljoin(page.url, f"{stem}_{current + 1}.{ext}"))
