"""Download handler: requests marked for the browser are fetched in it, in their download slot like any other."""

from __future__ import annotations

import logging

from scrapy import Request
from scrapy.core.downloader.handlers.http11 import HTTP11DownloadHandler
from scrapy.http import Headers, HtmlResponse, Response

from crawler.browser import Browser, BrowserUnavailable, Visit
from crawler.challenge import BROWSER, COOKIES, GENERATION, VISIT, PortalCookies, stops_portal
from crawler.middlewares import SharedRobotsTxtMiddleware

log = logging.getLogger(__name__)


class BrowserDownloadHandler(HTTP11DownloadHandler):
    """Scrapy's HTTP/1.1 handler, plus headless Chromium for requests whose meta says `browser`.

    Being the download handler, the browser runs inside Scrapy's per-host slots: download delay and
    concurrency apply to its pages as to plain ones. Chromium starts on the first such request only
    and is closed when the crawl ends.
    """

    def __init__(self, crawler) -> None:
        super().__init__(crawler)
        self.browser: Browser | None = None
        self.unavailable: str | None = None

    async def download_request(self, request: Request) -> Response:
        mode = request.meta.get(BROWSER)
        jar: PortalCookies | None = request.meta.get(COOKIES)
        if not mode or jar is None:
            return await super().download_request(request)
        browser = self._browser()
        if browser is None:
            return self._answer(request, Visit(request.url, False, self.unavailable or "no browser"))
        async with browser.lock:  # one page at a time, for every portal of the crawl
            if jar.refused:
                return self._answer(request, Visit(request.url, False, jar.refused, challenge=True))
            if mode == "challenge" and request.meta.get(GENERATION, -1) < jar.generation and jar.generation:
                # another request earned fresh cookies while this one waited: fetch it plainly with them
                return await self._plain(request, jar)
            url = request.url if request.method == "GET" else jar.home
            try:
                visit = await browser.visit(url, jar.hosts, render=mode == "render", allowed=self._allowed,
                                            cookies=jar.cookies)
            except BrowserUnavailable as exc:
                self.unavailable = str(exc)
                visit = Visit(url, False, self.unavailable)
            if visit.passed:
                jar.earned(visit.cookies)
            elif stops_portal(request, visit):
                jar.refused = visit.reason  # the portal's challenge cannot be passed: the browser is not tried again
            self.crawler.stats.inc_value("browser/pages")
            self.crawler.stats.inc_value("browser/requests", visit.requests)
            return self._answer(request, visit)

    async def _plain(self, request: Request, jar: PortalCookies) -> Response:
        request.meta.pop(BROWSER, None)
        request.meta[GENERATION] = jar.generation
        cookie = jar.header(request.url)
        if cookie:
            request.headers["Cookie"] = cookie
        return await super().download_request(request)

    def _allowed(self, url: str) -> bool:
        """Whether robots.txt lets the browser fetch `url` (the pages' own scripts, data and reloads)."""
        robots = next((m for m in self.crawler.engine.downloader.middleware.middlewares
                       if isinstance(m, SharedRobotsTxtMiddleware)), None)
        return robots is None or robots.allows(url, self.crawler.spider.config.crawl.user_agent)

    def _browser(self) -> Browser | None:
        if self.unavailable:
            return None
        if self.browser is None:
            config = self.crawler.spider.config
            self.browser = Browser(config.browser, config.crawl.user_agent)
        return self.browser

    @staticmethod
    def _answer(request: Request, visit: Visit) -> Response:
        request.meta[VISIT] = visit
        if not visit.passed:
            return Response(request.url, status=499, request=request)
        return HtmlResponse(visit.url, status=visit.status, headers=Headers(visit.headers), body=visit.body,
                            request=request)

    async def close(self) -> None:
        if self.browser is not None:
            peak = self.browser.peak_mb
            await self.browser.close()
            self.crawler.stats.set_value("browser/peak_mb", round(peak, 1))
            log.info("browser closed (peak %.0f MiB)", peak)
        await super().close()
