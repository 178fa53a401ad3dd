"""What the crawler would see on a portal, without storing anything: the page's kind, its article links, the
next list page, and the first articles read as the spider reads them (title, date, text, attachments)."""

from __future__ import annotations

import asyncio
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import urlencode, urlsplit
from urllib.robotparser import RobotFileParser

from crawler.browser import Browser, BrowserUnavailable, browser_available
from crawler.extract import Extractor, NextPage, Page, detect, kind_named, list_links, may_build_by_script
from crawler.extract.dates import url_date
from crawler.extract.documents import UnreadableDocument, is_document_response, read_document, signature_date
from crawler.extract.hosts import HostScope
from portalwatch.config import BrowserSettings, CrawlSettings, PortalConfig


class FetchError(Exception):
    """A page that could not be fetched: the URL and what went wrong, in one line."""


@dataclass
class Fetched:
    url: str  # after redirects
    content_type: str | None
    body: bytes
    request_body: bytes = b""


Fetcher = Callable[[str, "dict[str, str] | None"], Fetched]
# A page as its script leaves it in the browser, sending only the requests the predicate allows; FetchError if not.
Renderer = Callable[[str, HostScope, Callable[[str], bool]], Fetched]


def http_fetcher(settings: CrawlSettings, proxy: str | None = None) -> Fetcher:
    """A plain HTTP client with the crawl's user agent, timeout and size cap (`proxy`: http://host:port)."""
    handlers = [urllib.request.ProxyHandler({"http": proxy, "https": proxy})] if proxy else []
    opener = urllib.request.build_opener(*handlers)
    cap = int(settings.max_response_mb * 1024 * 1024)

    def fetch(url: str, form: dict[str, str] | None = None) -> Fetched:
        data = urlencode(form).encode() if form is not None else None
        request = urllib.request.Request(url, data=data, headers={"User-Agent": settings.user_agent})
        try:
            with opener.open(request, timeout=settings.timeout) as response:
                body = response.read(cap + 1)
                if len(body) > cap:
                    raise FetchError(f"{url}: larger than {settings.max_response_mb} MB")
                return Fetched(response.geturl(), response.headers.get("Content-Type"), body, data or b"")
        except urllib.error.HTTPError as exc:
            raise FetchError(f"{url}: HTTP {exc.code} {exc.reason}") from exc
        except (urllib.error.URLError, OSError, ValueError) as exc:
            raise FetchError(f"{url}: {getattr(exc, 'reason', exc)}") from exc

    return fetch


@contextmanager
def browser_renderer(settings: BrowserSettings, user_agent: str) -> Iterator[Renderer | None]:
    """Pages rendered in the crawl's headless browser (started on first use, closed at the end); None when no
    browser can run here."""
    if browser_available(settings.executable) is not None:
        yield None
        return
    loop = asyncio.new_event_loop()
    browser = Browser(settings, user_agent)

    def render(url: str, hosts: HostScope, allowed: Callable[[str], bool]) -> Fetched:
        try:
            visit = loop.run_until_complete(browser.visit(url, hosts, render=True, allowed=allowed))
        except BrowserUnavailable as exc:
            raise FetchError(f"{url}: {exc}") from exc
        if not visit.passed:
            raise FetchError(f"{url}: {visit.reason}")
        return Fetched(visit.url, visit.headers.get("content-type"), visit.body)

    try:
        yield render
    finally:
        loop.run_until_complete(browser.close())
        loop.close()


@dataclass
class ProbedArticle:
    url: str
    title: str = ""
    published: date | None = None
    text: str = ""
    attachments: list[str] = field(default_factory=list)
    error: str | None = None


@dataclass
class Probe:
    url: str
    kind: str = ""
    links: list[str] = field(default_factory=list)
    next_page: NextPage | None = None
    next_page_links: int | None = None  # article links found on the next page
    articles: list[ProbedArticle] = field(default_factory=list)
    error: str | None = None
    rendered: str | None = None  # what trying the page in the browser gave, when it was tried


def _page(fetched: Fetched) -> Page:
    return Page.from_bytes(fetched.url, fetched.body, fetched.content_type, request_body=fetched.request_body)


def read_article(url: str, fetched: Fetched, extractor: Extractor) -> ProbedArticle:
    """One article as the spider reads it: a web page, or a listed file whose text is the document."""
    if is_document_response(fetched.content_type, fetched.body):
        try:
            document = read_document(fetched.body)
        except UnreadableDocument as exc:
            return ProbedArticle(url, error=str(exc))
        title = document.text.split("\n", 1)[0][:120]
        return ProbedArticle(url, title, signature_date(document.text) or url_date(url), document.text)
    page = _page(fetched)
    article = extractor.article(page)
    return ProbedArticle(url, article.title, article.published, article.text, article.attachments,
                         None if article.text else "the page holds no article text")


def robots_rules(url: str, fetch: Fetcher) -> RobotFileParser | None:
    """The site's robots.txt rules; None when it has none (everything allowed)."""
    parts = urlsplit(url)
    try:
        fetched = fetch(f"{parts.scheme}://{parts.netloc}/robots.txt", None)
    except FetchError:
        return None
    rules = RobotFileParser()
    rules.parse(fetched.body.decode("utf-8", errors="replace").splitlines())
    return rules


def probe(url: str, portal: PortalConfig, fetch: Fetcher, articles: int = 3, robots: bool = True,
          user_agent: str = "*", render: Renderer | None = None) -> Probe:
    """Fetch `url` (a list page or an article), one next list page and the first `articles` articles;
    with `robots`, the links robots.txt forbids are listed but not fetched. With `render`, a page that carries
    a script but no article link as served is tried in the browser, as the crawl's `render: auto` does."""
    result = Probe(url)
    try:
        fetched = fetch(url, None)
    except FetchError as exc:
        result.error = str(exc)
        return result
    page = _page(fetched)
    extractor = _extractor(portal, page)
    result.kind = extractor.name
    hosts = HostScope(portal.start_urls or [url], portal.allowed_hosts)
    if is_document_response(fetched.content_type, fetched.body):
        result.articles.append(read_article(url, fetched, extractor))
        return result
    result.links = list_links(page, extractor, hosts)
    rules = robots_rules(url, fetch) if robots else None

    def allowed(target: str) -> bool:
        return rules is None or rules.can_fetch(user_agent, target)

    scripted = False  # the list is built by the page's script: its next page is rendered too
    if not result.links and render is not None and may_build_by_script(fetched.body):
        shown = _in_browser(url, portal, hosts, lambda target: render(target, hosts, allowed), result)
        if shown is not None:
            page, extractor, result.links = shown
            result.kind, scripted = extractor.name, True
    if not result.links:  # no list: the page may be an article itself
        result.articles.append(read_article(url, fetched, extractor))
        return result
    result.next_page = extractor.next_page(page)
    if result.next_page is not None:
        try:
            following = (render(result.next_page.url, hosts, allowed) if scripted and render is not None
                         else fetch(result.next_page.url, result.next_page.form))
            result.next_page_links = len(list_links(_page(following), extractor, hosts))
        except FetchError as exc:
            result.next_page_links = None
            result.error = f"next page: {exc}"
    for link in result.links[:articles]:
        if not allowed(link):
            result.articles.append(ProbedArticle(link, error="disallowed by robots.txt (not fetched)"))
            continue
        try:
            result.articles.append(read_article(link, fetch(link, None), extractor))
        except FetchError as exc:
            result.articles.append(ProbedArticle(link, error=str(exc)))
    return result


def _in_browser(url: str, portal: PortalConfig, hosts: HostScope, render: Callable[[str], Fetched],
                result: Probe) -> tuple[Page, Extractor, list[str]] | None:
    """The page as its script leaves it, with its extractor and article links, when it shows any; what came of
    the try is noted in `result.rendered`."""
    try:
        page = _page(render(url))
    except FetchError as exc:
        result.rendered = f"the browser could not render it: {exc}"
        return None
    extractor = _extractor(portal, page)
    links = list_links(page, extractor, hosts)
    result.rendered = f"{len(links)} article links in the browser"
    return (page, extractor, links) if links else None


def _extractor(portal: PortalConfig, page: Page) -> Extractor:
    """The portal's extractor: its preset, else the kind detected from `page`."""
    return Extractor(kind_named(portal.preset) if portal.preset != "auto" else detect(page), portal.selectors)
