"""What the crawler would see on a portal, without storing anything: the page's kind, its article links, the
next list page, and the first articles read as the spider reads them (title, date, text, attachments)."""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import urlencode, urlsplit
from urllib.robotparser import RobotFileParser

from crawler.extract import Extractor, NextPage, Page, detect, kind_named
from crawler.extract.dates import url_date
from crawler.extract.documents import UnreadableDocument, is_document_response, read_document, signature_date
from crawler.extract.hosts import HostScope
from crawler.extract.links import is_article_candidate, is_document_candidate, same_page
from portalwatch.config import CrawlSettings, PortalConfig


class FetchError(Exception):
    """A page that could not be fetched: the URL and what went wrong, in one line."""


@dataclass
class Fetched:
    url: str  # after redirects
    content_type: str | None
    body: bytes
    request_body: bytes = b""


Fetcher = Callable[[str, "dict[str, str] | None"], Fetched]


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


def list_links(page: Page, extractor: Extractor, hosts: HostScope) -> list[str]:
    """The list page's article links the spider would follow (the portal's hosts, documents included)."""
    return [url for url in extractor.list_links(page)
            if (is_article_candidate(url, hosts) or is_document_candidate(url, hosts)) and not same_page(url, page.url)]


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
          user_agent: str = "*") -> Probe:
    """Fetch `url` (a list page or an article), one next list page and the first `articles` articles;
    with `robots`, the links robots.txt forbids are listed but not fetched."""
    result = Probe(url)
    try:
        fetched = fetch(url, None)
    except FetchError as exc:
        result.error = str(exc)
        return result
    page = _page(fetched)
    kind = kind_named(portal.preset) if portal.preset != "auto" else detect(page)
    extractor = Extractor(kind, portal.selectors)
    result.kind = kind.name
    hosts = HostScope(portal.start_urls or [url], portal.allowed_hosts)
    if is_document_response(fetched.content_type, fetched.body):
        result.articles.append(read_article(url, fetched, extractor))
        return result
    result.links = list_links(page, extractor, hosts)
    if not result.links:  # no list: the page may be an article itself
        result.articles.append(read_article(url, fetched, extractor))
        return result
    result.next_page = extractor.next_page(page)
    if result.next_page is not None:
        try:
            following = fetch(result.next_page.url, result.next_page.form)
            result.next_page_links = len(list_links(_page(following), extractor, hosts))
        except FetchError as exc:
            result.next_page_links = None
            result.error = f"next page: {exc}"
    rules = robots_rules(url, fetch) if robots else None
    for link in result.links[:articles]:
        if rules is not None and not rules.can_fetch(user_agent, link):
            result.articles.append(ProbedArticle(link, error="disallowed by robots.txt (not fetched)"))
            continue
        try:
            result.articles.append(read_article(link, fetch(link, None), extractor))
        except FetchError as exc:
            result.articles.append(ProbedArticle(link, error=str(exc)))
    return result
