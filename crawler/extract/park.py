"""Industrial-park investment portals: list entries with title, summary and date; heavy boilerplate."""

from __future__ import annotations

import re

from crawler.extract.base import PortalKind
from crawler.extract.page import Page

_PREFIX = re.compile(r"【[^】]{1,12}(?:招商|投资|园区)[^】]{0,6}】")


class Park(PortalKind):
    name = "park"

    def detect(self, page: Page) -> bool:
        return len(_PREFIX.findall(page.html)) >= 2 or ("投稿须知" in page.html and "招商" in page.html)
