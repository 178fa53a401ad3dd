"""Data types of the fixture sites: what a site holds, what it serves, what it saw."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
from email.utils import format_datetime
from functools import cached_property
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from http.server import BaseHTTPRequestHandler

BEIJING = timezone(timedelta(hours=8))


@dataclass
class ExpectedArticle:
    """What the spider must find for one article page (the single source of truth)."""

    url: str
    title: str
    published: date
    text: str  # body paragraphs joined by "\n"
    attachments: list[str] = field(default_factory=list)  # absolute URLs


class RequestRecord(NamedTuple):
    """One request a fixture site answered (status 0: the connection was reset)."""

    site: str
    method: str
    path: str  # request target as sent, query string included
    status: int
    conditional: bool  # the request carried If-None-Match or If-Modified-Since
    browser: bool = False  # sent by a browser (it carries the Sec-Fetch-Dest header Scrapy never sends)
    document: bool = False  # a browser's page load (Sec-Fetch-Dest: document), not a script, a data call or a favicon


@dataclass(frozen=True)
class Article:
    """One article of a site's content, before it is rendered into a portal's markup."""

    id: int
    title: str
    published: datetime  # Beijing time
    paragraphs: tuple[str, ...]
    source: str = ""
    attachments: tuple[tuple[str, str], ...] = ()  # (file name in the article's folder, link label)
    doc_number: str = ""  # 文号 of a policy document
    issuer: str = ""  # 发布机构 of a policy document

    @property
    def text(self) -> str:
        return "\n".join(self.paragraphs)

    @property
    def day(self) -> date:
        return self.published.date()


@dataclass(frozen=True)
class Page:
    """A precomputed response: body bytes and the headers that go with them."""

    body: bytes
    content_type: str = "text/html; charset=utf-8"
    status: int = 200
    modified: datetime | None = None  # sent as Last-Modified; conditional requests honoured when set
    headers: tuple[tuple[str, str], ...] = ()

    @cached_property
    def etag(self) -> str:
        return '"' + hashlib.blake2b(self.body, digest_size=8).hexdigest() + '"'

    @cached_property
    def last_modified(self) -> str | None:
        """`modified` as an HTTP date."""
        return format_datetime(self.modified.astimezone(UTC), usegmt=True) if self.modified else None


@dataclass
class Request:
    """The parts of an HTTP request a dynamic route looks at."""

    method: str
    path: str
    query: str
    form: dict[str, str]


# A dynamic route answers one request itself (or drops the connection without an answer).
Route = Callable[["BaseHTTPRequestHandler", Request], None]


@dataclass
class SiteBuild:
    """Everything one version of one site serves, and what the spider should find in it."""

    pages: dict[str, Page]  # path -> page
    expected: list[tuple[str, Article]]  # (path, article) in list order, newest first
    routes: dict[str, Route] = field(default_factory=dict)  # path -> dynamic handler
    start_paths: list[str] = field(default_factory=list)
    fallback: Route | None = None  # answers paths with no page or route (default: 404)
