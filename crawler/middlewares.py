"""Downloader middlewares: off-site redirect refusal, conditional requests, backoff (challenges: crawler.challenge)."""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.robotstxt import RobotParser
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.defer import Deferred
from twisted.internet.task import deferLater
from w3lib.url import safe_url_string

from crawler.extract.links import absolute, host

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

    from crawler.state import PortalState

class Handled(IgnoreRequest):
    """A request dropped after its fault was already recorded in the portal's health."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


class _PortalAware:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler):
        return cls(crawler)

    def state(self, request: Request) -> PortalState | None:
        """The portal a request belongs to (None for robots.txt and other requests of Scrapy's own)."""
        states = getattr(self.crawler.spider, "states", {})
        return states.get(request.meta.get("portal"))


class OffsiteRedirectMiddleware(_PortalAware):
    """Refuse a redirect to a host the portal does not own (another port is another host)."""

    def process_response(self, request: Request, response: Response) -> Response:
        location = response.headers.get("Location")
        state = self.state(request)
        if state is None or not (300 <= response.status < 400 and location):
            return response
        target = absolute(request.url, safe_url_string(location.decode("latin-1")))
        if target and host(target) not in state.hosts:
            listed = request.meta.get("article_url") or request.url
            state.health.error(listed, "redirect-offsite", f"{request.url} redirected to {target}")
            raise Handled("redirect-offsite", f"redirect to another host: {target}")
        return response


class ConditionalRequestMiddleware(_PortalAware):
    """Ask for known articles with If-None-Match / If-Modified-Since, and let a 304 reach the spider."""

    def process_request(self, request: Request) -> None:
        state = self.state(request)
        known = state.revisit.get(request.url) if state else None
        if known is None:
            return
        if known.etag:
            request.headers.setdefault("If-None-Match", known.etag)
        if known.last_modified:
            request.headers.setdefault("If-Modified-Since", known.last_modified)
        allowed = request.meta.setdefault("handle_httpstatus_list", [])
        if 304 not in allowed:
            allowed.append(304)


class BackoffRetryMiddleware(RetryMiddleware):
    """Scrapy's retries for 5xx and timeouts, waiting base * 2^(n-1) seconds before the n-th retry."""

    def __init__(self, settings) -> None:
        super().__init__(settings)
        self.base = settings.getfloat("RETRY_BACKOFF_BASE", 1.0)
        self.cap = settings.getfloat("RETRY_BACKOFF_MAX", 60.0)

    async def _wait(self, retry: Request | Response | None) -> Request | Response | None:
        if isinstance(retry, Request):
            from twisted.internet import reactor  # the reactor Scrapy installed, not a default one at import

            attempt = retry.meta.get("retry_times", 1)
            delay = min(self.cap, self.base * 2 ** (attempt - 1))
            await maybe_deferred_to_future(deferLater(reactor, delay, lambda: None))
        return retry

    async def process_response(self, request: Request, response: Response) -> Request | Response:
        return await self._wait(super().process_response(request, response))

    async def process_exception(self, request: Request, exception: Exception) -> Request | Response | None:
        return await self._wait(super().process_exception(request, exception))


class SharedRobotsTxtMiddleware(RobotsTxtMiddleware):
    """Scrapy's robots.txt middleware, with every request that waits for a host's robots.txt getting its rules.

    Scrapy's hands the parsed rules to the first waiting request only (awaiting a Deferred as a future consumes
    its result), so requests issued together before robots.txt arrives, such as a run's pending links, would
    all be let through unchecked.
    """

    async def robot_parser(self, request: Request) -> RobotParser | None:
        parser = self._parsers.get(urlparse_cached(request).netloc)
        if isinstance(parser, Deferred):
            waiter: Deferred = Deferred()

            def share(result: object) -> object:
                waiter.callback(result)
                return result  # and on to the next waiter

            parser.addBoth(share)
            return await maybe_deferred_to_future(waiter)
        return await super().robot_parser(request)

    def allows(self, url: str, user_agent: str) -> bool:
        """Whether the robots.txt read for `url`'s host lets it be fetched (yes while unread or unreadable)."""
        parser = self._parsers.get(urlsplit(url).netloc)
        return not isinstance(parser, RobotParser) or parser.allowed(url, self._robotstxt_useragent or user_agent)
