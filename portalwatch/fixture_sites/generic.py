"""A plain site with no known portal markup: only a generic main-content extractor copes with it."""

from __future__ import annotations

from portalwatch.fixture_sites import markup as m
from portalwatch.fixture_sites.content import Edition
from portalwatch.fixture_sites.records import Article, SiteBuild

SITE_NAME = "胶州湾科创走廊"
TRAP_DIR = "/private/"  # disallowed in robots.txt
PER_PAGE = 8
OFFSITE_PATH = "/offsite/landing.html"  # where the faulty site redirects off its host


def article_path(article: Article, folder: str = "/posts/") -> str:
    return f"{folder}{article.published:%Y/%m}/{article.id}.html"


def list_path(page: int) -> str:
    return "/" if page == 0 else f"/page/{page + 1}/"


def _page(title: str, main: str) -> str:
    # The header comes from an include that closes the document: a stray </html> before the content,
    # which browsers ignore (and a parser that stops there loses the article).
    return f"""<!doctype html>
<html lang="zh"><head><meta charset="utf-8"><title>{title}</title>
<meta name="viewport" content="width=device-width"></head>
<body>
<div id="top"><a href="/">{SITE_NAME}</a> · <a href="/about.html">关于</a> · <a href="/contact.html">联系</a></div>
</html>
{main}
<div id="bottom">{SITE_NAME} 2026 · 鲁ICP备21034567号</div>
</body></html>"""


def _list_page(articles: list[tuple[str, Article]], page: int, total: int) -> str:
    entries = "\n".join(
        f'<div class="entry"><a href="{path}">{m.text(a.title)}</a> <small>{a.published:%Y/%m/%d}</small></div>'
        for path, a in articles
    )
    older = f'<a href="{list_path(page + 1)}">更早的文章 »</a>' if page < total - 1 else ""
    newer = f'<a href="{list_path(page - 1)}">« 较新的文章</a>' if page > 0 else ""
    return _page(f"{SITE_NAME}", f'<div id="posts">\n{entries}\n</div>\n<div class="nav">{newer} {older}</div>')


def _article_page(article: Article) -> str:
    main = f"""<div id="post">
<h2>{m.text(article.title)}</h2>
<div class="byline">{article.published:%Y年%m月%d日} · {m.text(article.source)}</div>
<div class="body">
{m.plain_paragraphs(article)}
</div>
</div>
<div class="related"><a href="/">返回首页</a></div>"""
    return _page(f"{m.text(article.title)} | {SITE_NAME}", main)


def build(edition: Edition) -> SiteBuild:
    pages, expected, listed = m.article_pages(edition, article_path, _article_page, TRAP_DIR, 3)
    chunks = m.paginate(listed, PER_PAGE)
    for n, chunk in enumerate(chunks):
        pages[list_path(n)] = m.html_page(_list_page(chunk, n, len(chunks)), m.newest(edition))
    pages["/robots.txt"] = m.robots(TRAP_DIR)
    pages[OFFSITE_PATH] = m.html_page(_article_page(edition.trap), edition.trap.published)
    return SiteBuild(pages=pages, expected=expected, start_paths=[list_path(0)])
