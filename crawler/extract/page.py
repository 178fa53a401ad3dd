"""A fetched page as the extractors see it: its URL, its text decoded right, and a selector over it."""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field
from functools import cached_property
from urllib.parse import parse_qsl

from parsel import Selector
from selectolax.lexbor import LexborHTMLParser

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9_.:-]+)", re.IGNORECASE)
# GB2312 and GBK pages decode exactly as GB18030, its superset.
_SUPERSETS = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "gb_2312-80": "gb18030"}


def _codec(name: str | None) -> str | None:
    if not name:
        return None
    try:
        canonical = codecs.lookup(name.strip().lower()).name
    except LookupError:
        return None
    return _SUPERSETS.get(canonical, canonical)


def decode_html(body: bytes, content_type: str | None = None) -> str:
    """The page's text: UTF-8 when the bytes are valid UTF-8, else the declared charset, else GB18030.

    Chinese portals often declare no charset or the wrong one (a GBK page sent as UTF-8 or the
    reverse); GBK bytes are practically never valid UTF-8, so a strict UTF-8 attempt comes first.
    """
    if body.startswith(codecs.BOM_UTF8):
        return body[len(codecs.BOM_UTF8):].decode("utf-8", errors="replace")
    header = _HEADER_CHARSET.search(content_type or "")
    meta = _META_CHARSET.search(body[:4096])
    candidates = ["utf-8", _codec(header.group(1) if header else None),
                  _codec(meta.group(1).decode("ascii") if meta else None), "gb18030"]
    for encoding in dict.fromkeys(c for c in candidates if c):
        try:
            return body.decode(encoding)
        except UnicodeDecodeError:
            continue
    return body.decode("gb18030", errors="replace")


def browser_html(text: str) -> str:
    """`text` re-serialised after an HTML5 parse (lexbor), so that lxml sees the tree a browser builds.

    libxml2 ends the document at a stray ``</html>`` or ``</body>`` and leaves the rest outside
    ``<body>``; misnested inline tags and unclosed blocks are likewise repaired the browser's way.
    """
    if not text or not text.strip():
        return "<html></html>"
    return LexborHTMLParser(text).html or text


@dataclass
class Page:
    """One response: URL, decoded HTML and (for a POSTed list page) the form that was sent."""

    url: str
    html: str
    form: dict[str, str] = field(default_factory=dict)
    memo: dict[str, object] = field(default_factory=dict, repr=False, compare=False)  # per-page results

    @cached_property
    def sel(self) -> Selector:
        return Selector(text=browser_html(self.html), base_url=self.url)

    @classmethod
    def from_bytes(cls, url: str, body: bytes, content_type: str | None = None, request_body: bytes = b"") -> Page:
        form = dict(parse_qsl(request_body.decode("utf-8", errors="replace"))) if request_body else {}
        return cls(url=url, html=decode_html(body, content_type), form=form)
