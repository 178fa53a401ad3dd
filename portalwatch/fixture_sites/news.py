# ruff: noqa: E501  (HTML templates keep the portals' long lines)
"""A GBK news site like qingdaonews.com: `content_<id>.htm`, `h1`, `#pubtime_baidu`, `#endText`.

Pages are GBK bytes declaring `charset=gb2312` in a meta tag (the HTTP header names no charset);
one article page (`MISSING_CHARSET_INDEX` in version-1 order) declares none at all.
"""

from __future__ import annotations

from portalwatch.fixture_sites import markup as m
from portalwatch.fixture_sites.content import Edition
from portalwatch.fixture_sites.records import Article, Page, SiteBuild

SITE_NAME = "青岛新闻网"
COLUMN = "/qingdao/"
TRAP_COLUMN = "/qingdao/neibu/"  # disallowed in robots.txt
PER_PAGE = 10
MISSING_CHARSET_INDEX = 2
CHARSET_META = '<meta http-equiv="Content-Type" content="text/html; charset=gb2312" />'


def article_path(article: Article, column: str = COLUMN) -> str:
    return f"{column}{article.published:%Y-%m/%d}/content_{article.id}.htm"


def list_path(page: int) -> str:
    return f"{COLUMN}index.htm" if page == 0 else f"{COLUMN}index_{page + 1}.htm"


def gbk_page(html: str, modified=None) -> Page:
    """GBK bytes; the header names no charset, as on the real site."""
    return Page(body=html.encode("gbk"), content_type="text/html", modified=modified)


def _item(article: Article, path: str) -> str:
    return (
        f'<li><span class="time">{article.published:%m-%d %H:%M}</span>'
        f'<a href="{m.relative(COLUMN, path)}" target="_blank">{m.text(article.title)}</a></li>'
    )


def _head(title: str, charset: bool = True) -> str:
    return f"""<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml"><head>
{CHARSET_META if charset else ''}
<title>{title}</title>
<meta name="keywords" content="青岛新闻,青岛新闻网" />
<link href="//www.qingdaonews.com/css/news.css" rel="stylesheet" type="text/css" />
</head><body>
<div class="top"><a href="/">{SITE_NAME}</a> | <a href="/qingdao/">青岛</a> | <a href="/shandong/">山东</a> | <a href="/guonei/">国内</a> | <a href="/caijing/">财经</a></div>"""


FOOT = """<div class="foot"><p>青岛新闻网版权所有 未经书面授权 不得转载或镜像</p>
<p>信息网络传播视听节目许可证1504087号　鲁ICP备09012345号　<a href="/about/">关于我们</a> | <a href="/jubao/">违法和不良信息举报</a></p></div>
</body></html>"""


def _list_page(items: list[str], page: int, total: int) -> str:
    nav = []
    if page > 0:
        nav.append(f'<a href="{list_path(page - 1).rsplit("/", 1)[1]}">上一页</a>')
    if page < total - 1:
        nav.append(f'<a href="{list_path(page + 1).rsplit("/", 1)[1]}">下一页</a>')
    return f"""{_head(f"青岛新闻_{SITE_NAME}")}
<div class="main"><div class="dqwz">您当前的位置 ：<a href="/">{SITE_NAME}</a> &gt;&gt; 青岛新闻</div>
<ul class="newslist">
{chr(10).join(items)}
</ul>
<div class="pages">{' '.join(nav)}</div></div>
{FOOT}"""


def _article_page(article: Article, charset: bool = True) -> str:
    body = "\n".join(f"<p>　　{m.text(p)}</p>" for p in article.paragraphs)
    return f"""{_head(f"{m.text(article.title)}_{SITE_NAME}", charset)}
<div class="main">
<div class="dqwz">您当前的位置 ：<a href="/">{SITE_NAME}</a> &gt;&gt; <a href="/qingdao/">青岛新闻</a> &gt;&gt; 正文</div>
<h1>{m.text(article.title)}</h1>
<div class="info"><span id="pubtime_baidu">{article.published:%Y-%m-%d %H:%M:%S}</span>　<span id="source_baidu">来源：<a href="/">{m.text(article.source)}</a></span>
<span class="fx">分享到：<a class="wx">微信</a><a class="wb">微博</a></span></div>
<div id="endText">
{body}
</div>
<div id="editor_baidu">责任编辑：王晓</div>
<div class="bq">我要爆料：0532-82888888　　【<a href="javascript:window.print()">打印本页</a>】【<a href="javascript:window.close()">关闭窗口</a>】</div>
<div class="xgxw"><h3>相关新闻</h3><ul><li><a href="/qingdao/">更多青岛新闻</a></li></ul></div>
</div>
{FOOT}"""


def missing_charset_id(edition: Edition) -> int:
    """The id of the article whose page declares no charset (fixed across versions)."""
    first = [a for a in edition.articles if a.id not in edition.added]
    return first[MISSING_CHARSET_INDEX].id


def build(edition: Edition) -> SiteBuild:
    pages: dict[str, Page] = {}
    expected = [(article_path(a), a) for a in edition.articles]
    undeclared = missing_charset_id(edition)
    for path, article in expected:
        html = _article_page(article, charset=article.id != undeclared)
        pages[path] = gbk_page(html, edition.modified[article.id])
    trap_path = article_path(edition.trap, TRAP_COLUMN)
    pages[trap_path] = gbk_page(_article_page(edition.trap), edition.trap.published)
    items = [_item(a, p) for p, a in expected]
    items.insert(4, _item(edition.trap, trap_path))
    chunks = m.paginate(items, PER_PAGE)
    for n, chunk in enumerate(chunks):
        pages[list_path(n)] = gbk_page(_list_page(chunk, n, len(chunks)), m.newest(edition))
    pages["/robots.txt"] = m.robots(TRAP_COLUMN)
    return SiteBuild(pages=pages, expected=expected, start_paths=[list_path(0)])
