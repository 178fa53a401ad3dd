"""JavaScript challenges: pass them once in the browser, then fetch plainly with the cookies it earned."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.http import Response

from crawler.browser import CHALLENGE_STATUSES, Visit
from crawler.extract.links import host
from crawler.middlewares import Handled, _PortalAware
from portalwatch.config import Render

if TYPE_CHECKING:
    from crawler.state import PortalState

# request.meta keys: what the browser is asked to do, and what it did (set by the download handler).
BROWSER = "browser"  # "challenge" (pass it, keep the bytes) | "render" (the document as the script left it)
VISIT = "browser_visit"
COOKIES = "browser_cookies"  # the portal's PortalCookies, for the download handler
GENERATION = "cookie_generation"  # which cookies the request was sent with
AUTO_RENDER = "auto_render"  # `render: auto` sent a list page that had no links as served to the browser


def stops_portal(request: Request, visit: Visit) -> bool:
    """Whether a failed visit blocks its portal: a challenge the browser cannot pass does; a page it failed to
    render otherwise (hung, timed out, no Chromium), or the try of `render: auto`, is that page's error only."""
    return request.meta.get(BROWSER) == "challenge" or (visit.challenge and not request.meta.get(AUTO_RENDER))


def is_challenge(response: Response) -> bool:
    """A 412 or 521 answer carrying a script: the anti-bot page that computes a cookie and reloads."""
    return response.status in CHALLENGE_STATUSES and b"<script" in response.body[:65536].lower()


@dataclass
class PortalCookies:
    """The cookies a portal's challenge earned in the browser, sent with its plain requests until they expire."""

    hosts: set[str]  # where the browser may go for this portal
    home: str  # the page a challenge is passed on when the challenged request cannot be opened itself (a POST)
    cookies: list[dict[str, Any]] = field(default_factory=list)
    generation: int = 0  # how many times cookies were earned this run
    unanswered: int = 0  # cookies earned in a row that let no plain page through (refused cookies)
    challenged: int = -1  # the generation of cookies last met by a challenge (one browser trip each)
    refused: str | None = None  # why the browser cannot pass this portal's challenge (then nothing is retried)

    def earned(self, cookies: list[dict[str, Any]]) -> None:
        self.cookies = cookies
        self.generation += 1

    def header(self, url: str, now: float | None = None) -> str | None:
        """The Cookie header for `url`: the earned cookies whose domain, path and expiry fit."""
        now = time.time() if now is None else now
        parts = urlsplit(url)
        hostname, path = (parts.hostname or "").lower(), parts.path or "/"
        pairs = [
            f"{c['name']}={c['value']}" for c in self.cookies
            if _domain_matches(hostname, c.get("domain", ""))
            and path.startswith(c.get("path") or "/")
            and (c.get("expires", -1) in (-1, None) or c["expires"] > now)
            and not (c.get("secure") and parts.scheme != "https")
        ]
        return "; ".join(pairs) or None


def _domain_matches(hostname: str, domain: str) -> bool:
    domain = domain.lower().lstrip(".")
    return hostname == domain or hostname.endswith("." + domain)


class BrowserMiddleware(_PortalAware):
    """Sends a challenged or rendered portal's requests to the browser, and the rest plainly with its cookies.

    A 412/521 script page is passed once in the browser; the cookies it earns go with every later plain
    request until they expire or the portal challenges again, then they are earned again. A challenge the
    browser cannot pass, or cookies refused `browser.max_challenges` times in a row, block the portal.
    """

    def __init__(self, crawler) -> None:
        super().__init__(crawler)
        self.jars: dict[str, PortalCookies] = {}

    def portal(self, request: Request) -> PortalState | None:
        """The request's portal, also for robots.txt (found by host: a challenge guards it too)."""
        state = self.state(request)
        if state is not None or request.meta.get("portal") is not None:
            return state
        target = host(request.url)
        states = getattr(self.crawler.spider, "states", {})
        return next((s for s in states.values() if target in s.hosts), None)

    def jar(self, state: PortalState) -> PortalCookies:
        if state.name not in self.jars:
            self.jars[state.name] = PortalCookies(state.hosts, state.portal.start_urls[0])
        return self.jars[state.name]

    def process_request(self, request: Request) -> None:
        state = self.portal(request)
        if state is None:
            return
        if state.blocked:
            raise Handled("blocked", f"{state.name} is blocked")
        jar = self.jar(state)
        request.meta[COOKIES] = jar
        if request.meta.get(BROWSER):
            return
        mode = state.portal.render
        page = request.method == "GET" and request.meta.get("portal") is not None  # not robots.txt
        render_lists = mode is Render.LIST or (mode is Render.AUTO and state.health.scripted_lists)
        if page and (mode is Render.ALL or (render_lists and request.meta.get("list_page"))):
            request.meta[BROWSER] = "render"
        elif mode is Render.COOKIE and jar.generation == 0:
            request.meta[BROWSER] = "challenge"
        else:
            request.meta[GENERATION] = jar.generation
            cookie = jar.header(request.url)
            if cookie:
                request.headers["Cookie"] = cookie
            else:
                request.headers.pop("Cookie", None)

    def process_response(self, request: Request, response: Response) -> Request | Response:
        state = self.portal(request)
        if state is None:
            return response
        visit: Visit | None = request.meta.pop(VISIT, None)
        if visit is not None:
            return self._after_visit(state, request, response, visit)
        state.health.plain_requests += 1
        jar = self.jar(state)
        if not is_challenge(response):
            jar.unanswered = 0
            return response
        if request.meta.get(GENERATION, 0) < jar.generation and not jar.refused:
            return self._plain(request)  # sent with older cookies: newer ones were earned meanwhile
        first = jar.challenged != jar.generation  # the first challenge to these cookies starts the count
        why = self._why_not_browser(state, jar, first)
        if why is None:
            if first:
                jar.challenged, jar.unanswered = jar.generation, jar.unanswered + 1
            return request.replace(dont_filter=True, meta={**request.meta, BROWSER: "challenge"})
        state.health.block(request.url, f"HTTP {response.status} with a JavaScript challenge page: {why}")
        raise Handled("blocked", f"blocked by HTTP {response.status}")

    def _why_not_browser(self, state: PortalState, jar: PortalCookies, first: bool) -> str | None:
        if state.portal.render is Render.OFF:
            return "the portal is configured with render: false"
        if jar.refused:
            return jar.refused
        limit = self.crawler.spider.config.browser.max_challenges
        if first and jar.unanswered >= limit:
            return f"the cookies the browser earned were refused {limit} times in a row"
        return None

    def _after_visit(
        self, state: PortalState, request: Request, response: Response, visit: Visit
    ) -> Request | Response:
        state.health.browser_requests += visit.requests
        if not visit.passed and not stops_portal(request, visit):
            # this page's error only (its link stays pending); the next page gets the browser again
            auto = request.meta.get(AUTO_RENDER)
            reason = "parse" if auto else "browser"
            detail = ("no article links found on the list page as served, and the browser failed" if auto
                      else "the browser could not render the page") + f": {visit.reason}"
            state.health.error(request.url, reason, detail)
            raise Handled(reason, detail)
        if not visit.passed:
            state.health.block(request.url, f"the browser did not get past the JavaScript challenge: {visit.reason}")
            raise Handled("blocked", visit.reason)
        if request.method != "GET":  # the cookies were earned on a GET of the portal; replay this one plainly
            return self._plain(request)
        return response

    @staticmethod
    def _plain(request: Request) -> Request:
        meta = {k: v for k, v in request.meta.items() if k not in (BROWSER, GENERATION)}
        return request.replace(dont_filter=True, meta=meta)
