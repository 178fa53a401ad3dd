"""News sites (青岛新闻网 content_<id>.htm, 中国山东网 show/<id>.html): #endText, #pubtime_baidu.

The headline is found as on any page (the heading <title> or a meta title agrees with): the first <h1> of a
news page is often the site's logo."""

from __future__ import annotations

import re

from crawler.extract.base import PortalKind
from crawler.extract.page import Page

_ARTICLE_URL = re.compile(r"(?:/content_\d+\.s?html?|/show/\d+\.html?)$")


class News(PortalKind):
    name = "news"
    article_url = _ARTICLE_URL
    body_css = ("#endText",)

    def detect(self, page: Page) -> bool:
        html = page.html
        return 'id="endText"' in html or "pubtime_baidu" in html or bool(_ARTICLE_URL.search(page.url)) or any(
            _ARTICLE_URL.search(href) for href in page.sel.xpath("//a/@href").getall()
        )
