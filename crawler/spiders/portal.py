"""`portal`: one config-driven spider for every portal kind, incremental, with per-portal health.

What to request and when to stop: links found on a list page go into the store's frontier before they are
requested, and stay there until stored (or given up); every run requests the pending links first, then walks
the lists. A walk stops at a list page with no link the store has not seen, unless an earlier walk of that
column was cut short: then it goes at least as deep as that one reached.
"""

from __future__ import annotations

import functools
import logging
import signal
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import replace
from datetime import timedelta
from typing import Any

import scrapy
from scrapy import FormRequest, Request, signals
from scrapy.crawler import Crawler
from scrapy.http import Response
from scrapy.utils.defer import deferred_from_coro
from twisted.python.failure import Failure

from crawler import settings as crawler_settings
from crawler.browser import browser_available
from crawler.challenge import AUTO_RENDER, BROWSER
from crawler.context import CrawlContext
from crawler.extract import Extractor, Page, list_links, may_build_by_script
from crawler.extract.dates import url_date
from crawler.extract.documents import UnreadableDocument, is_document_response, read_document, signature_date
from crawler.extract.links import is_document_candidate
from crawler.faults import describe
from crawler.middlewares import Handled
from crawler.progress import Progress
from crawler.state import Known, PortalState
from portalwatch.config import Config, PortalConfig, Render
from portalwatch.models import CrawledArticle
from portalwatch.outcomes import DOWN, LinkState
from portalwatch.storage import StorageError, utcnow

log = logging.getLogger(__name__)
MAX_ATTACHMENTS = 3  # attached files read per article
PENDING_PRIORITY = 20  # links found by an earlier run and not stored yet come first
LIST_PRIORITY = 10  # then list pages: they decide what else to fetch
GIVE_UP_AT_ONCE = frozenset({"robots"})  # the site forbids the link: no point asking again
NOT_THE_LINKS_FAULT = frozenset({"blocked"})  # the portal refused everything; the link is not to blame


def storage_guarded(method: Callable) -> Callable:
    """A callback whose store failure stops the whole crawl once, instead of one traceback per page."""
    @functools.wraps(method)
    def guarded(self: PortalSpider, *args: Any, **kwargs: Any) -> Any:
        try:
            result = method(self, *args, **kwargs)
            return list(result) if isinstance(result, Iterator) else result
        except StorageError as exc:
            self.stop_for_storage(exc)
            return []

    return guarded


def choose_portals(config: Config, names: list[str] | None) -> list[PortalConfig]:
    """The named portals (raising `ConfigError` for an unknown name), else every enabled one."""
    if names:
        return [config.portal(name) for name in dict.fromkeys(names)]
    return [portal for portal in config.portals if portal.enabled]


class PortalSpider(scrapy.Spider):
    """Walks each portal's list pages newest first, fetches unknown articles, re-checks recent ones."""

    name = "portal"

    def __init__(self, config: Config, context: CrawlContext, portal: str | list[str] | None = None,
                 **kwargs: Any) -> None:
        """Started by `crawler.runner` or by `scrapy crawl portal` (`crawler.commands.crawl`), which check the
        config, the seeds and the store, hold the lock and open the run first."""
        super().__init__(**kwargs)
        self.config, self.context = config, context
        names = portal.split(",") if isinstance(portal, str) else portal
        portals = choose_portals(self.config, names)
        self.storage_error: StorageError | None = None
        self.stop_signal: int | None = None  # SIGINT or SIGTERM, when one stopped the crawl
        crawl = self.config.crawl
        self.states = {
            p.name: PortalState(p, self.context.portal_health(p.name), p.max_pages or crawl.max_pages)
            for p in portals
        }
        self.progress = Progress(self.states.values())

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> PortalSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.settings.setdict(crawler_settings.from_config(spider.config), priority="spider")
        crawler.signals.connect(spider.on_closed, signal=signals.spider_closed)
        crawler.signals.connect(spider.watch_signals, signal=signals.engine_started)
        return spider

    def watch_signals(self) -> None:
        """Note which signal stops the crawl (Scrapy's own handlers, installed by now, still do the stopping),
        and show progress on a terminal."""
        self.progress.start()
        for signum in (signal.SIGINT, signal.SIGTERM):
            handler = signal.getsignal(signum)
            if callable(handler):
                signal.signal(signum, functools.partial(self._signalled, handler))

    def _signalled(self, handler: Callable, signum: int, frame: object) -> None:
        if self.stop_signal is None:
            self.stop_signal = signum
        handler(signum, frame)

    def stop_for_storage(self, exc: StorageError) -> None:
        """The store cannot be written: stop fetching (what is stored stays; the frontier resumes later)."""
        if self.storage_error is None:
            self.storage_error = exc
            log.debug("%s; stopping the crawl", exc)  # the command prints it once, when the crawl has stopped
            deferred_from_coro(self.crawler.engine.close_spider_async(reason="storage-error"))

    # --- start ---------------------------------------------------------------------------------
    async def start(self) -> AsyncIterator[Request]:
        try:
            requests = self._start_requests()
        except StorageError as exc:
            self.stop_for_storage(exc)
            return
        for request in requests:
            yield request

    def _start_requests(self) -> list[Request]:
        """Pending links of every portal, then the start pages, then the known articles to re-check."""
        since = utcnow() - timedelta(days=self.config.crawl.revisit_days)
        store = self.context.store
        pending, lists, revisits = [], [], []
        for state in self.states.values():
            state.known = store.known_urls(state.name)
            state.listed = store.frontier_urls(state.name)
            for url in store.pending_links(state.name):
                pending.append(self._article_request(state, url, PENDING_PRIORITY))
            for url in state.portal.start_urls:
                state.resume_depth[url] = store.walk_resume_depth(state.name, url)
                lists.append(Request(url, callback=self.parse_list, errback=self.on_error, dont_filter=True,
                                     priority=LIST_PRIORITY,
                                     meta={"portal": state.name, "start": True, "list_page": 1, "column": url}))
            for row in store.revisit_candidates(state.name, since):
                state.revisit[row["url"]] = Known(row["id"], row["etag"], row["last_modified"])
                revisits.append(self._article_request(state, row["url"]))
        return [*pending, *lists, *revisits]

    def _article_request(self, state: PortalState, url: str, priority: int = 0) -> Request:
        state.scheduled.add(url)
        # dont_filter: the spider dedupes article URLs itself, and Scrapy's filter would silently drop
        # the repeated hop of a redirect loop instead of letting it end as a recorded redirect-loop.
        return Request(url, callback=self.parse_article, errback=self.on_error, dont_filter=True,
                       priority=priority, meta={"portal": state.name, "article_url": url})

    # --- list pages ----------------------------------------------------------------------------
    @storage_guarded
    def parse_list(self, response: Response) -> Iterator[Request]:
        """Store the list's unseen links as pending and request them; then page on, or end the walk."""
        state = self.states[response.meta["portal"]]
        page = _page(response)
        extractor, links, detail = self._list_links(state, page)
        if not links and self._may_render(state, response):
            yield self._render_again(state, response)  # counted as a list page once, when it comes back
            return
        state.health.count("list_pages")
        if not self._links_found(state, page, response, links, detail) or extractor is None:
            return
        store, number, column = self.context.store, response.meta["list_page"], response.meta["column"]
        unseen = [url for url in links if url not in state.known and url not in state.listed]
        # The walk is marked open before its links are written down: a crawl killed between the two must
        # leave a walk the next crawl resumes, never listed links that make page 1 look read to the end.
        store.walk_reached(state.name, column, number)
        added = store.add_pending(state.name, unseen)  # written down before anything is requested
        state.listed.update(added)
        for url in added:
            if url not in state.scheduled:
                yield self._article_request(state, url)
        # Pending and given-up links were requested from the frontier already: only links the store has
        # never seen keep paging going, unless an earlier walk of this column was cut short deeper down.
        if not unseen and number > state.resume_depth.get(column, 0):
            log.info("%s: list page %d holds no link the store has not seen; paging stops", state.name, number)
            store.walk_finished(state.name, column, number)
            return
        if number >= state.max_pages:
            store.walk_finished(state.name, column, number)
            return
        following, ok = self._next_list_request(state, extractor, page, number, column)
        if following is not None:
            yield following
        elif ok:
            store.walk_finished(state.name, column, number)

    def _list_links(self, state: PortalState, page: Page) -> tuple[Extractor | None, list[str], str]:
        """The extractor and the portal's article links of a list page, and what went wrong when there are none."""
        try:
            extractor = state.extractor(page, remember=True)
            detail = f"no article links found on the list page ({extractor.name} markup changed?)"
            return extractor, list_links(page, extractor, state.hosts), detail
        except Exception as exc:  # a list page the extractor chokes on is a parse error of this portal only
            log.debug("%s: cannot read the list page %s", state.name, page.url, exc_info=True)
            return None, [], f"{type(exc).__name__}: {exc}"

    def _links_found(self, state: PortalState, page: Page, response: Response, links: list[str], detail: str) -> bool:
        """Whether the list page gave links; a page without any is recorded as a parse error of its portal."""
        start = response.meta.get("start")
        if not links:
            if response.meta.get(AUTO_RENDER):
                detail = f"{detail}; rendered in the browser, it had none either"
            state.health.error(page.url, "parse", detail)
            if start:
                state.health.start_failed(page.url, "parse", detail)
            return False
        if response.meta.get(AUTO_RENDER):
            state.health.scripted_lists = True
            log.info("%s: the list at %s is built by script; its list pages are rendered in the browser from now "
                     "on (render: list skips the plain try)", state.name, page.url)
        if start:
            state.health.start_pages_ok += 1
        return True

    def _may_render(self, state: PortalState, response: Response) -> bool:
        """`render: auto` tries a list page without links once in the browser: its script may build the list."""
        if state.portal.render is not Render.AUTO or state.render_tried or response.meta.get(BROWSER) == "render":
            return False
        if response.request is None or response.request.method != "GET" or not may_build_by_script(response.body):
            return False
        return browser_available(self.config.browser.executable) is None

    def _render_again(self, state: PortalState, response: Response) -> Request:
        """The same list page, rendered in the browser; its kind is detected again from what the script built."""
        state.render_tried, state.kind = True, None
        log.info("%s: no article links on %s as served; trying it in the browser", state.name, response.url)
        return response.request.replace(dont_filter=True,
                                        meta={**response.request.meta, BROWSER: "render", AUTO_RENDER: True})

    def _next_list_request(self, state: PortalState, extractor: Extractor, page: Page, number: int,
                           column: str) -> tuple[Request | None, bool]:
        """The request for the next list page (None at the last one), and False when finding it failed."""
        try:
            following = extractor.next_page(page)
        except Exception as exc:
            log.debug("%s: cannot find the next list page after %s", state.name, page.url, exc_info=True)
            state.health.error(page.url, "parse", f"next page: {type(exc).__name__}: {exc}")
            return None, False
        if following is None:
            return None, True
        meta = {"portal": state.name, "list_page": number + 1, "column": column}
        if following.form is not None:
            return FormRequest(following.url, formdata=following.form, callback=self.parse_list,
                               errback=self.on_error, priority=LIST_PRIORITY, meta=meta, dont_filter=True), True
        return Request(following.url, callback=self.parse_list, errback=self.on_error,
                       priority=LIST_PRIORITY, meta=meta, dont_filter=True), True

    # --- article pages -------------------------------------------------------------------------
    @storage_guarded
    def parse_article(self, response: Response) -> Iterator[CrawledArticle]:
        state = self.states[response.meta["portal"]]
        url = response.meta["article_url"]
        if response.status == 304:
            state.health.count("not_modified")
            known = state.revisit[url]
            self.context.store.touch_article(known.id, known.etag, known.last_modified)
            return
        if is_document_response(_header(response, "Content-Type"), response.body):
            yield from self._document(state, url, response)
            return
        page = _page(response)
        try:
            article = state.extractor(page, remember=False).article(page)
        except Exception as exc:  # a page the extractor chokes on is one error, not a stopped portal
            log.debug("%s: cannot extract %s", state.name, url, exc_info=True)
            self.link_failed(state, url, "parse", f"{type(exc).__name__}: {exc}")
            return
        if not article.text:
            self.link_failed(state, url, "empty", "the page holds no article text")
            return
        title = article.title
        if not title:
            state.health.error(url, "parse", "no title found; the first line of the text stands in")
            title = article.text.split("\n", 1)[0][:80]
        state.health.count("articles_fetched")
        item = CrawledArticle(
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
        files = [link for link in article.attachments if is_document_candidate(link, state.hosts)]
        yield self._with_attachments(state, item, files[:MAX_ATTACHMENTS], [])

    def _with_attachments(self, state: PortalState, item: CrawledArticle, files: list[str],
                          texts: list[str]) -> CrawledArticle | Request:
        """The request for the article's next readable attachment, or the article, its files' text appended
        (a notice whose body is 详见附件 is classified and compared by its policy's text)."""
        if not files:
            return replace(item, text="\n".join([item.text, *texts])) if texts else item
        meta = {"portal": state.name, "item": item, "files": files[1:], "texts": texts}
        return Request(files[0], callback=self.parse_attachment, errback=self.on_attachment_error,
                       dont_filter=True, meta=meta)

    def parse_attachment(self, response: Response) -> Iterator[CrawledArticle | Request]:
        state, meta = self.states[response.meta["portal"]], response.meta
        texts = list(meta["texts"])
        try:
            texts.append(read_document(response.body).text)
        except Exception as exc:  # an unreadable attachment leaves the article as its page shows it
            log.info("%s: attachment %s not read: %s", state.name, response.url, exc)
        yield self._with_attachments(state, meta["item"], meta["files"], [t for t in texts if t])

    def on_attachment_error(self, failure: Failure) -> Iterator[CrawledArticle | Request]:
        meta = failure.request.meta
        log.info("%s: attachment %s not fetched: %s", meta["portal"], failure.request.url, failure.value)
        yield self._with_attachments(self.states[meta["portal"]], meta["item"], meta["files"], meta["texts"])

    def _document(self, state: PortalState, url: str, response: Response) -> Iterator[CrawledArticle]:
        """A listed file (PDF, DOCX, XLSX, OFD): an article whose text is the file's text, titled by its first line."""
        try:
            document = read_document(response.body)
        except UnreadableDocument as exc:
            self.link_failed(state, url, "unreadable", str(exc))
            return
        except Exception as exc:  # a broken file is one error, not a stopped portal
            log.exception("%s: cannot read the document %s", state.name, url)
            self.link_failed(state, url, "parse", f"{type(exc).__name__}: {exc}")
            return
        if not document.text:
            self.link_failed(state, url, "empty", f"the {document.format} file holds no text (a scan?)")
            return
        state.health.count("articles_fetched")
        yield CrawledArticle(
            url=url, portal=state.name, title=document.text.split("\n", 1)[0][:120], text=document.text,
            published=signature_date(document.text) or url_date(url), attachments=[],
            etag=_header(response, "ETag"), last_modified=_header(response, "Last-Modified"),
        )

    # --- faults and the end ----------------------------------------------------------------------
    def link_failed(self, state: PortalState, url: str, reason: str, detail: str, recorded: bool = False) -> None:
        """An article link that gave nothing to store: an error of its portal, and an attempt counted later."""
        if not recorded:
            state.health.error(url, reason, detail)
        if url in state.listed and reason not in NOT_THE_LINKS_FAULT:
            state.failures[url] = (f"{reason}: {detail}" if detail else reason, reason in GIVE_UP_AT_ONCE)

    @storage_guarded
    def on_error(self, failure: Failure) -> None:
        request = failure.request
        state = self.states.get(request.meta.get("portal"))
        if state is None:
            return
        reason, detail = describe(failure)
        url = request.meta.get("article_url") or request.url  # the link as listed, not a redirect's last hop
        if url != request.url:
            detail = f"{detail} (at {request.url})"
        handled = isinstance(failure.value, Handled)  # a Handled fault is recorded where it was found
        if request.meta.get("article_url"):
            self.link_failed(state, url, reason, detail, recorded=handled)
        elif not handled:
            state.health.error(url, reason, detail)
        if request.meta.get("start"):
            state.health.start_failed(url, reason, detail)

    def on_closed(self, spider: scrapy.Spider, reason: str) -> None:
        self.progress.stop()
        if self.storage_error is not None:
            return
        try:
            self._record_outcomes(reason)
        except StorageError as exc:
            self.storage_error = exc
            log.error("%s; the run's figures could not be recorded", exc)

    def _record_outcomes(self, reason: str) -> None:
        """Each portal's status and figures, and the failed links' attempts (not for a portal that was down)."""
        crawl, store = self.config.crawl, self.context.store
        for state in self.states.values():
            state.health.settle(reason)
            state.health.save()
            if state.health.status in DOWN:
                continue
            for url, (error, at_once) in state.failures.items():
                state_now = store.link_failed(url, error, max_attempts=crawl.give_up_attempts,
                                              min_days=crawl.give_up_days, give_up_now=at_once)
                if state_now == LinkState.GIVEN_UP:
                    log.log(logging.INFO if at_once else logging.WARNING, "%s: gave up %s (%s)", state.name, url,
                            error if at_once else f"{error}; failed {crawl.give_up_attempts} times")


def _page(response: Response) -> Page:
    content_type = _header(response, "Content-Type")
    body = response.request.body if response.request is not None and response.request.method == "POST" else b""
    return Page.from_bytes(response.url, response.body, content_type, request_body=body)


def _header(response: Response, name: str) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None
