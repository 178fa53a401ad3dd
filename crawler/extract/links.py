"""Which links are articles of the portal and which are attachments."""

from __future__ import annotations

import re
from collections.abc import Container
from urllib.parse import urljoin, urlsplit

from w3lib.url import canonicalize_url, safe_url_string

ATTACHMENT = re.compile(r"\.(?:pdf|docx?|xlsx?|wps|et|pptx?|zip|rar|7z|ofd|txt|csv)$", re.IGNORECASE)
READABLE = re.compile(r"\.(?:pdf|docx?|xlsx?|wps|et|ofd|txt)$", re.IGNORECASE)  # files worth reading as text
_NOT_PAGES = re.compile(r"\.(?:jpe?g|png|gif|bmp|svg|webp|ico|css|js|mp[34]|avi|flv|swf|exe|apk)$", re.IGNORECASE)
_SCHEMES = ("http", "https")


def absolute(base: str, href: str | None) -> str | None:
    """`href` resolved against `base`; None for javascript:, mailto:, anchors and other schemes."""
    href = (href or "").strip()
    if not href or href.startswith("#"):
        return None
    url = safe_url_string(urljoin(base, href))
    parts = urlsplit(url)
    if parts.scheme not in _SCHEMES or not parts.netloc:
        return None
    return url.split("#", 1)[0]


def host(url: str) -> str:
    """host[:port], lower-cased: another port is another site."""
    return urlsplit(url).netloc.lower()


def is_attachment(url: str) -> bool:
    return bool(ATTACHMENT.search(urlsplit(url).path))


def is_article_candidate(url: str, hosts: Container[str]) -> bool:
    """A page on one of the portal's hosts that is neither an attachment nor a static file."""
    path = urlsplit(url).path
    return host(url) in hosts and not ATTACHMENT.search(path) and not _NOT_PAGES.search(path)


def is_document_candidate(url: str, hosts: Container[str]) -> bool:
    """An attached file (PDF, DOC, XLS, OFD...) on one of the portal's hosts: on a policy list it is the document."""
    return host(url) in hosts and bool(READABLE.search(urlsplit(url).path))


def same_page(a: str, b: str) -> bool:
    return canonicalize_url(a) == canonicalize_url(b)


def unique(urls: list[str]) -> list[str]:
    """`urls` without repeats, in their first order."""
    return list(dict.fromkeys(urls))
