"""`portal`: one config-driven spider for every portal kind, incremental, with per-portal health."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from contextlib import ExitStack
from datetime import timedelta
from typing import Any

import scrapy
from scrapy import FormRequest, Request, signals
from scrapy.crawler import Crawler
from scrapy.http import Response
from twisted.python.failure import Failure

from crawler import settings as crawler_settings
from crawler.context import CrawlContext
from crawler.extract import Extractor, Page
from crawler.extract.links import is_article_candidate, same_page
from crawler.faults import describe
from crawler.middlewares import Handled
from crawler.state import Known, PortalState
from portalwatch.config import DEFAULT_CONFIG, Config, ConfigError, PortalConfig, load_config
from portalwatch.lock import exclusive
from portalwatch.models import CrawledArticle
from portalwatch.storage import utcnow

log = logging.getLogger(__name__)
LIST_PRIORITY = 10  # list pages first: they decide what else to fetch


def choose_portals(config: Config, names: list[str] | None) -> list[PortalConfig]:
    """The named portals (raising `ConfigError` for an unknown name), else every enabled one."""
    if names:
        return [config.portal(name) for name in dict.fromkeys(names)]
    return [portal for portal in config.portals if portal.enabled]


class PortalSpider(scrapy.Spider):
    """Walks each portal's list pages newest first, fetches unknown articles, re-checks recent ones."""

    name = "portal"

    def __init__(self, portal: str | list[str] | None = None, config: str | Config | None = None,
                 context: CrawlContext | None = None, trigger: str = "scrapy", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.config = config if isinstance(config, Config) else load_config(config or DEFAULT_CONFIG)
        names = portal.split(",") if isinstance(portal, str) else portal
        portals = choose_portals(self.config, names)
        if not portals:
            raise ConfigError(self.config.source, None, "portals", "no enabled portal to crawl")
        self.owns_context = context is None
        self.lock = ExitStack()
        if self.owns_context:  # started by `scrapy crawl`: hold the store's lock as `portalwatch crawl` does
            self.lock.enter_context(exclusive(self.config, "scrapy crawl"))
        self.context = context or CrawlContext.start(self.config, trigger)
        crawl = self.config.crawl
        self.states = {
            p.name: PortalState(p, self.context.portal_health(p.name), p.max_pages or crawl.max_pages)
            for p in portals
        }

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> PortalSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.settings.setdict(crawler_settings.from_config(spider.config), priority="spider")
        crawler.signals.connect(spider.on_closed, signal=signals.spider_closed)
        return spider

    # --- start ---------------------------------------------------------------------------------
    async def start(self) -> AsyncIterator[Request]:
        since = utcnow() - timedelta(days=self.config.crawl.revisit_days)
        store = self.context.store
        for state in self.states.values():
            state.known = store.known_urls(state.name)
            state.failed_before = store.error_urls(state.name)
            for row in store.revisit_candidates(state.name, since):
                state.revisit[row["url"]] = Known(row["id"], row["etag"], row["last_modified"])
            for url in state.portal.start_urls:
                yield Request(url, callback=self.parse_list, errback=self.on_error, dont_filter=True,
                              priority=LIST_PRIORITY, meta={"portal": state.name, "start": True, "list_page": 1})
            for url in state.revisit:
                yield self._article_request(state, url)

    def _article_request(self, state: PortalState, url: str) -> Request:
        state.scheduled.add(url)
        # dont_filter: the spider dedupes article URLs itself, and Scrapy's filter would silently drop
        # the repeated hop of a redirect loop instead of letting it end as a recorded redirect-loop.
        return Request(url, callback=self.parse_article, errback=self.on_error, dont_filter=True,
                       meta={"portal": state.name, "article_url": url})

    # --- list pages ----------------------------------------------------------------------------
    def parse_list(self, response: Response) -> Iterator[Request]:
        """Request the list's unknown articles, then the next list page unless this one held nothing new."""
        state = self.states[response.meta["portal"]]
        page = _page(response)
        state.health.count("list_pages")
        found = self._read_list(state, page, response)
        if found is None:
            return
        extractor, links = found
        fresh = [url for url in links if url not in state.known]
        for url in fresh:
            if url not in state.scheduled:
                yield self._article_request(state, url)
        number = response.meta["list_page"]
        # Links that failed in an earlier run are tried again, but only never-seen links keep paging going:
        # a dead link or a robots-forbidden one must not walk the whole column every day.
        if not [url for url in fresh if url not in state.failed_before]:
            log.info("%s: list page %d holds only known articles; paging stops", state.name, number)
        elif number < state.max_pages:
            following = self._next_list_request(state, extractor, page, number)
            if following is not None:
                yield following

    def _read_list(self, state: PortalState, page: Page, response: Response) -> tuple[Extractor, list[str]] | None:
        """The extractor and the portal's article links of a list page; None (recorded) when it has none."""
        try:
            extractor = state.extractor(page, remember=True)
            links = [url for url in extractor.list_links(page)
                     if is_article_candidate(url, state.hosts) and not same_page(url, page.url)]
            detail = f"no article links found on the list page ({extractor.name} markup changed?)"
        except Exception as exc:  # a list page the extractor chokes on is a parse error of this portal only
            log.exception("%s: cannot read the list page %s", state.name, page.url)
            links, detail = [], f"{type(exc).__name__}: {exc}"
        start = response.meta.get("start")
        if not links:
            state.health.error(page.url, "parse", detail)
            if start:
                state.health.start_failed(page.url, "parse", detail)
            return None
        if start:
            state.health.start_pages_ok += 1
        return extractor, links

    def _next_list_request(self, state: PortalState, extractor: Extractor, page: Page, number: int) -> Request | None:
        try:
            following = extractor.next_page(page)
        except Exception as exc:
            log.exception("%s: cannot find the next list page after %s", state.name, page.url)
            state.health.error(page.url, "parse", f"next page: {type(exc).__name__}: {exc}")
            return None
        if following is None:
            return None
        meta = {"portal": state.name, "list_page": number + 1}
        if following.form is not None:
            return FormRequest(following.url, formdata=following.form, callback=self.parse_list,
                               errback=self.on_error, priority=LIST_PRIORITY, meta=meta, dont_filter=True)
        return Request(following.url, callback=self.parse_list, errback=self.on_error,
                       priority=LIST_PRIORITY, meta=meta, dont_filter=True)

    # --- article pages -------------------------------------------------------------------------
    def parse_article(self, response: Response) -> Iterator[CrawledArticle]:
        state = self.states[response.meta["portal"]]
        url = response.meta["article_url"]
        if response.status == 304:
            state.health.count("not_modified")
            known = state.revisit[url]
            self.context.store.touch_article(known.id, known.etag, known.last_modified)
            return
        page = _page(response)
        try:
            article = state.extractor(page, remember=False).article(page)
        except Exception as exc:  # a page the extractor chokes on is one error, not a stopped portal
            log.exception("%s: cannot extract %s", state.name, url)
            state.health.error(url, "parse", f"{type(exc).__name__}: {exc}")
            return
        if not article.text:
            state.health.error(url, "empty", "the page holds no article text")
            return
        title = article.title
        if not title:
            state.health.error(url, "parse", "no title found; the first line of the text stands in")
            title = article.text.split("\n", 1)[0][:80]
        state.health.count("articles_fetched")
        yield CrawledArticle(
            url=url,
            portal=state.name,
            title=title,
            text=article.text,
            published=article.published,
            attachments=article.attachments,
            meta=article.meta,
            etag=_header(response, "ETag"),
            last_modified=_header(response, "Last-Modified"),
        )

    # --- faults and the end ----------------------------------------------------------------------
    def on_error(self, failure: Failure) -> None:
        request = failure.request
        state = self.states.get(request.meta.get("portal"))
        if state is None:
            return
        reason, detail = describe(failure)
        url = request.meta.get("article_url") or request.url  # the link as listed, not a redirect's last hop
        if url != request.url:
            detail = f"{detail} (at {request.url})"
        if not isinstance(failure.value, Handled):  # a Handled fault is recorded where it was found
            state.health.error(url, reason, detail)
        if request.meta.get("start"):
            state.health.start_failed(url, reason, detail)

    def on_closed(self, spider: scrapy.Spider, reason: str) -> None:
        for state in self.states.values():
            state.health.settle(reason)
            state.health.save()
        if self.owns_context:
            self.context.finish()
        self.lock.close()


def _page(response: Response) -> Page:
    content_type = _header(response, "Content-Type")
    body = response.request.body if response.request is not None and response.request.method == "POST" else b""
    return Page.from_bytes(response.url, response.body, content_type, request_body=body)


def _header(response: Response, name: str) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None
