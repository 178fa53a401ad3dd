"""The older Qingdao platform: lists /n<id>/n<id>/index.html with #listChangeDiv, bodies in #Zoom2."""

from __future__ import annotations

from crawler.extract.base import PortalKind
from crawler.extract.links import absolute, unique
from crawler.extract.page import Page


class OldQingdao(PortalKind):
    name = "oldqd"
    body_css = ("#Zoom2", "#Zoom", "#zoom")

    def detect(self, page: Page) -> bool:
        return bool(page.sel.css("#listChangeDiv, #Zoom2"))

    def list_links(self, page: Page) -> list[str]:
        hrefs = page.sel.css("#listChangeDiv li a::attr(href)").getall()
        urls = [absolute(page.url, href) for href in hrefs]
        return unique([url for url in urls if url]) if hrefs else super().list_links(page)
