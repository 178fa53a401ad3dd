"""TRS WCM sites (most Chinese government portals): createPageHTML paging, TRS_Editor bodies, meta tags."""

from __future__ import annotations

import re

from crawler.extract.base import PortalKind
from crawler.extract.page import Page

_ARTICLE_URL = re.compile(r"/t\d{8}_\d+\.s?html?$")


class Trs(PortalKind):
    name = "trs"
    article_url = _ARTICLE_URL
    body_css = ("div.TRS_Editor", "div.TRS_UEDITOR", ".Custom_UnionStyle", "#zoom")

    def detect(self, page: Page) -> bool:
        html = page.html
        return "createPageHTML" in html or "TRS_Editor" in html or "TRS_UEDITOR" in html
