"""A TRS site with every fault the crawler must survive, one article link per fault.

The first list page links good articles and one URL per fault; the second list page has changed
markup (a table instead of `ul.list_ul`). `FAULTS` names what each fault URL does; `expected()` holds
the articles a correct crawler still gets: the good ones, the flaky one (5xx, then 200 on a retry),
the wrong- and missing-charset pages, and those listed on the changed page.
"""

from __future__ import annotations

import socket
import struct
import time
from dataclasses import replace
from datetime import datetime
from http.server import BaseHTTPRequestHandler

from portalwatch.fixture_sites import markup as m
from portalwatch.fixture_sites import trs
from portalwatch.fixture_sites.content import Edition
from portalwatch.fixture_sites.generator import generate
from portalwatch.fixture_sites.generic import OFFSITE_PATH
from portalwatch.fixture_sites.records import Article, Page, Request, Route, SiteBuild

COLUMN = trs.COLUMN
HUGE_BYTES = 20 * 1024 * 1024
CHUNK = 64 * 1024
# fault -> (article id, what the URL does)
FAULTS: dict[str, tuple[int, str]] = {
    "flaky": (9001, "5xx for the first `flaky_failures` requests, then the article"),
    "unavailable": (9002, "503 every time"),
    "slow": (9003, "no answer for `slow_seconds`, then the connection is closed"),
    "reset": (9004, "the connection is reset (RST) before any response"),
    "truncated": (9005, "Content-Length of the whole page, half the body, then the connection closes"),
    "wrong_charset": (9006, "GBK bytes while the header says charset=utf-8 (the meta tag says gb2312)"),
    "missing_charset": (9007, "UTF-8 bytes with no charset in the header or the page"),
    "huge": (9008, "a 20 MB page, streamed in 64 KB chunks"),
    "redirect_loop": (9009, "302 to /loop/a.shtml, which redirects to /loop/b.shtml and back"),
    "offsite_redirect": (9010, "301 to the generic site (another host)"),
    "empty": (9011, "an article page with an empty body"),
    "not_found": (9012, "404"),
}
LISTED_EMPTY_PDF = f"{COLUMN}202611/P020261101_notice.pdf"  # a listed PDF without text (a scan)
RECOVERABLE = ("flaky", "wrong_charset", "missing_charset")
GOOD_ON_FIRST_PAGE = 4


def fault_path(fault: str) -> str:
    return f"{COLUMN}202611/t202611{FAULTS[fault][0] % 100:02d}_{FAULTS[fault][0]}.shtml"


def _fault_articles() -> dict[str, Article]:
    """An ordinary-looking article of its own for every fault URL, dated in fault order (Nov 1-12)."""
    drafts = generate("faulty-faults", len(FAULTS), datetime(2026, 11, 12, 9, 0), 0)
    return {
        fault: replace(draft, id=number, published=draft.published.replace(day=number % 100))
        for draft, (fault, (number, _)) in zip(drafts, FAULTS.items(), strict=True)
    }


def _flaky(page: Page, failures: int) -> Route:
    count = {"n": 0}

    def answer(handler: BaseHTTPRequestHandler, request: Request) -> None:
        count["n"] += 1
        if count["n"] <= failures:
            error = Page(body=b"<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>", status=503)
            handler.send_page(error, (("Retry-After", "1"),))
        else:
            handler.send_page(page)

    return answer


def _slow(seconds: float) -> Route:
    def answer(handler: BaseHTTPRequestHandler, request: Request) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and not handler.server.stopping.is_set():
            time.sleep(0.05)
        handler.close_connection = True

    return answer


def _reset(handler: BaseHTTPRequestHandler, request: Request) -> None:
    handler.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    handler.connection.close()
    handler.close_connection = True


def _truncated(body: bytes) -> Route:
    def answer(handler: BaseHTTPRequestHandler, request: Request) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html; charset=utf-8")
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body[: len(body) // 2])
        handler.close_connection = True

    return answer


def _huge(head: bytes) -> Route:
    filler = ("<p>" + "青岛市重点项目建设情况通报，" * 60 + "</p>\n").encode()
    chunk = (filler * (CHUNK // len(filler) + 1))[:CHUNK]

    def answer(handler: BaseHTTPRequestHandler, request: Request) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html; charset=utf-8")
        handler.send_header("Content-Length", str(HUGE_BYTES))
        handler.end_headers()
        sent = 0
        try:
            handler.wfile.write(head)
            sent = len(head)
            while sent < HUGE_BYTES and not handler.server.stopping.is_set():
                piece = chunk[: HUGE_BYTES - sent]
                handler.wfile.write(piece)
                sent += len(piece)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up at its size cap: what it should do
        handler.close_connection = sent < HUGE_BYTES

    return answer


def _send_redirect(handler: BaseHTTPRequestHandler, location: str, status: int) -> None:
    handler.send_response(status)
    handler.send_header("Location", location)
    handler.send_header("Content-Length", "0")
    handler.end_headers()


def _redirect(location: str) -> Route:
    return lambda handler, request: _send_redirect(handler, location, 302)


def _offsite(handler: BaseHTTPRequestHandler, request: Request) -> None:
    """A permanent redirect to a page of the generic site: another host."""
    _send_redirect(handler, handler.server.peers["generic"] + OFFSITE_PATH, 301)


def _changed_list_page(articles: list[tuple[str, Article]]) -> str:
    """The second list page after a template change: a table, no `ul.list_ul`, no createPageHTML."""
    rows = "\n".join(
        f'<tr><td class="td_title"><a href="{m.relative(COLUMN, path)}" title="{m.attr(a.title)}">{m.text(a.title)}</a>'
        f'</td><td class="td_date">{a.published:%Y-%m-%d}</td></tr>'
        for path, a in articles
    )
    return f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>区县要闻_{trs.SITE_NAME}</title></head><body>
{trs.HEADER}
<div class="news_box"><h2 class="news_title">区县要闻</h2>
<table class="list_table" width="100%">
{rows}
</table>
<div class="pager"><a href="index.shtml">上一页</a></div>
</div>
{trs.FOOTER}
</body></html>"""


def _article(article: Article) -> Page:
    return m.html_page(trs.article_page(article), article.published)


def _fault_routes(faulty: dict[str, Article], flaky_failures: int, slow_seconds: float) -> dict[str, Route]:
    """The faults answered by code: status sequences, timing, broken connections, redirects."""
    unavailable = Page(body=b"<html><body><h1>503 Service Unavailable</h1></body></html>", status=503)
    huge_head = _article(faulty["huge"]).body.split(b'<div class="TRS_Editor">')[0]
    return {
        fault_path("flaky"): _flaky(_article(faulty["flaky"]), flaky_failures),
        fault_path("unavailable"): lambda handler, request: handler.send_page(unavailable),
        fault_path("slow"): _slow(slow_seconds),
        fault_path("reset"): _reset,
        fault_path("truncated"): _truncated(_article(faulty["truncated"]).body),
        fault_path("huge"): _huge(huge_head),
        fault_path("redirect_loop"): _redirect("/loop/a.shtml"),
        "/loop/a.shtml": _redirect("/loop/b.shtml"),
        "/loop/b.shtml": _redirect("/loop/a.shtml"),
        fault_path("offsite_redirect"): _offsite,
    }


def _fault_pages(faulty: dict[str, Article]) -> dict[str, Page]:
    """The faults that are only bytes: wrong and missing charset, an empty article."""
    wrong, missing = faulty["wrong_charset"], faulty["missing_charset"]
    gbk = trs.article_page(wrong).replace('<meta charset="utf-8">', '<meta charset="gb2312">')
    bare = trs.article_page(missing).replace('<meta charset="utf-8">\n', "")
    return {
        fault_path("wrong_charset"): Page(gbk.encode("gbk"), "text/html; charset=utf-8", modified=wrong.published),
        fault_path("missing_charset"): Page(bare.encode(), "text/html", modified=missing.published),
        fault_path("empty"): _article(replace(faulty["empty"], paragraphs=())),
    }


def build(edition: Edition, flaky_failures: int = 2, slow_seconds: float = 3.0) -> SiteBuild:
    good = [(trs.article_path(a), a) for a in edition.articles]
    faulty = _fault_articles()
    pages = {path: m.html_page(trs.article_page(a), edition.modified[a.id]) for path, a in good}
    pages.update(_fault_pages(faulty))
    trap_path = f"{trs.TRAP_COLUMN}202611/t20261109_{edition.trap.id}.shtml"
    pages[trap_path] = _article(edition.trap)

    first = [trs.list_item(a, p) for p, a in good[:GOOD_ON_FIRST_PAGE]]
    first.append(trs.list_item(edition.trap, trap_path))
    first += [trs.list_item(faulty[f], fault_path(f)) for f in FAULTS]
    first += ['<li><a href="javascript:void(0)" onclick="openWin()">网上调查</a>',
              '<li><a href="mailto:zwgk@laoshan.example">政务公开信箱</a>',
              f'<li><a href="./{LISTED_EMPTY_PDF.removeprefix(COLUMN)}">{m.text("2026年重点项目名单.pdf")}</a>']
    pages[trs.list_path(0)] = m.html_page(trs.list_page(first, 0, 2), m.newest(edition))
    pages[trs.list_path(1)] = m.html_page(_changed_list_page(good[GOOD_ON_FIRST_PAGE:]), m.newest(edition))
    pages[LISTED_EMPTY_PDF] = Page(m.PDF_BYTES, "application/pdf")
    pages["/robots.txt"] = m.robots(trs.TRAP_COLUMN)

    recovered = [(fault_path(f), faulty[f]) for f in RECOVERABLE]
    expected = sorted([*good, *recovered], key=lambda item: item[1].published, reverse=True)
    routes = _fault_routes(faulty, flaky_failures, slow_seconds)
    return SiteBuild(pages=pages, expected=expected, routes=routes, start_paths=[trs.list_path(0)])
