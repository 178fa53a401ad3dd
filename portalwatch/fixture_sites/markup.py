"""Pieces of portal markup shared by the site renderers."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from html import escape
from typing import TYPE_CHECKING

from portalwatch.fixture_sites.records import Article, Page

if TYPE_CHECKING:
    from portalwatch.fixture_sites.content import Edition

PDF_BYTES = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)
DOC_BYTES = bytes.fromhex("d0cf11e0a1b11ae1") + b"\x00" * 504  # an OLE2 header: what a .doc starts with
ATTACHMENT_TYPES = {".pdf": ("application/pdf", PDF_BYTES), ".doc": ("application/msword", DOC_BYTES)}
SPAN_STYLES = (
    "font-family: 仿宋_GB2312; font-size: 16pt;",
    "font-family: 宋体; font-size: 12pt; line-height: 2;",
    "font-size: 16px;",
)


def attr(value: str) -> str:
    """An HTML attribute value, quotes escaped."""
    return escape(value, quote=True)


def text(value: str) -> str:
    """HTML text content."""
    return escape(value, quote=False)


def styled_paragraph(paragraph: str, n: int) -> str:
    """A paragraph as an HTML editor writes it: indent, inline styles, sometimes split spans."""
    style = SPAN_STYLES[n % len(SPAN_STYLES)]
    if n % 3 == 1 and len(paragraph) > 20:
        cut = len(paragraph) // 2
        return (
            f'<p style="text-indent: 2em; text-align: justify;"><span style="{style}">　　'
            f"{text(paragraph[:cut])}</span><span style=\"{style}\"><strong>{text(paragraph[cut:])}"
            "</strong></span></p>"
        )
    return f'<p style="text-indent: 2em;"><span style="{style}">　　{text(paragraph)}</span></p>'


def plain_paragraphs(article: Article) -> str:
    return "\n".join(f"<p>{text(p)}</p>" for p in article.paragraphs)


def attachment_paths(article: Article, article_path: str) -> list[str]:
    """Where the article's attachments are served: beside the article page."""
    return [folder(article_path) + name for name, _label in article.attachments]


def attachment_pages(article: Article, article_path: str) -> dict[str, Page]:
    """The small files an article links as attachments."""
    pages = {}
    for path in attachment_paths(article, article_path):
        content_type, body = ATTACHMENT_TYPES[path[path.rfind("."):]]
        pages[path] = Page(body=body, content_type=content_type, modified=article.published)
    return pages


def relative(from_dir: str, path: str) -> str:
    """`path` written relative to the folder `from_dir` ("/a/b/"), with ./ and ../ as portals do."""
    src = [p for p in from_dir.split("/") if p]
    dst = [p for p in path.split("/") if p]
    common = 0
    while common < min(len(src), len(dst) - 1) and src[common] == dst[common]:
        common += 1
    ups = len(src) - common
    rest = "/".join(dst[common:])
    return ("./" if ups == 0 else "../" * ups) + rest


def folder(path: str) -> str:
    """The folder part of a path, with its trailing slash."""
    return path[: path.rfind("/") + 1]


def html_page(body: str, modified: datetime | None = None, charset: str = "utf-8") -> Page:
    """An HTML page; with `modified` it carries validators and answers conditional requests."""
    return Page(body=body.encode(charset), content_type=f"text/html; charset={charset}", modified=modified)


def newest(edition: Edition) -> datetime:
    """When anything on the site last changed: the Last-Modified of its list pages."""
    return max(edition.modified.values())


def paginate(items: list[str], per_page: int) -> list[list[str]]:
    return [items[i:i + per_page] for i in range(0, len(items), per_page)] or [[]]


def article_pages(
    edition: Edition, path: Callable[..., str], html: Callable[[Article], str], trap_folder: str, trap_at: int,
) -> tuple[dict[str, Page], list[tuple[str, Article]], list[tuple[str, Article]]]:
    """Each article's page at `path(article)` and the trap's at `path(trap, trap_folder)`, which robots.txt
    forbids; with the (path, article) pairs expected, and the ones listed: the trap among them at `trap_at`."""
    expected = [(path(a), a) for a in edition.articles]
    pages = {p: html_page(html(a), edition.modified[a.id]) for p, a in expected}
    trap_path = path(edition.trap, trap_folder)
    pages[trap_path] = html_page(html(edition.trap), edition.trap.published)
    listed = [*expected]
    listed.insert(trap_at, (trap_path, edition.trap))
    return pages, expected, listed


def robots(*disallow: str) -> Page:
    rules = "".join(f"Disallow: {path}\n" for path in disallow)
    body = f"User-agent: *\n{rules}\nSitemap: /sitemap.xml\n"
    return Page(body=body.encode(), content_type="text/plain")
