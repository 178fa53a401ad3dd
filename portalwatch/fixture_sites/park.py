# ruff: noqa: E501  (HTML templates keep the portals' long lines)
"""An industrial-park investment portal: list items with summary and date, heavy boilerplate, numbered paging
only (1 2 3 … 尾页, no 下一页 link)."""

from __future__ import annotations

from portalwatch.fixture_sites import markup as m
from portalwatch.fixture_sites.content import Edition
from portalwatch.fixture_sites.records import Article, Page, SiteBuild

SITE_NAME = "即墨区产业园区招商网"
COLUMN = "/news/zsdt/"
TRAP_COLUMN = "/news/draft/"  # disallowed in robots.txt
PER_PAGE = 10
SUMMARY_CHARS = 100
HOTLINE = "400-606-8899"
HEADER = f"""<header class="site-header"><div class="container">
<a class="logo" href="/"><img src="/static/img/logo.png" alt="{SITE_NAME}"></a>
<nav class="main-nav"><a href="/">首页</a><a href="/park/">园区库</a><a href="/news/zsdt/">招商动态</a><a href="/policy/">招商政策</a>
<a href="/land/">土地厂房</a><a href="/about/">关于我们</a></nav>
<div class="hotline">招商热线：<b>{HOTLINE}</b></div></div></header>"""
ASIDE = """<aside class="sidebar">
<div class="box"><h3>热门园区</h3><ul><li><a href="/park/1.html">青岛蓝谷</a></li><li><a href="/park/2.html">汽车产业新城</a></li>
<li><a href="/park/3.html">国际陆港</a></li><li><a href="/park/4.html">即墨经济开发区</a></li></ul></div>
<div class="box tougao"><h3>投稿须知</h3><p>本站欢迎园区、企业投稿，来稿请注明出处及联系方式，一经采用不付稿酬。</p></div>
<div class="box form"><h3>获取园区招商政策资料</h3><form action="/api/lead" method="post">
<input name="name" placeholder="您的姓名"><input name="phone" placeholder="手机号码"><button>立即获取</button></form></div>
</aside>"""
FOOTER = f"""<footer class="site-footer"><div class="container">
<p><a href="/about/">关于我们</a> | <a href="/contact/">联系我们</a> | <a href="/join/">企业入驻</a> | <a href="/sitemap.html">网站地图</a></p>
<p>招商热线：{HOTLINE}　邮箱：zs@jmpark.example</p>
<p>Copyright © 2018-2026 {SITE_NAME} 版权所有　<a href="https://beian.miit.gov.cn/">鲁ICP备18012345号-3</a></p>
</div></footer>
<div class="float-bar"><a href="/contact/">联系我们</a><a href="/join/">企业入驻</a><a href="/zs/">招商中心</a></div>
<div class="modal" id="lead" style="display:none"><p>获取园区招商政策资料</p><button>确认</button><button>关闭</button></div>"""


def article_path(article: Article, column: str = COLUMN) -> str:
    return f"{column}show-{article.id}.html"


def list_path(page: int) -> str:
    return f"{COLUMN}index.html" if page == 0 else f"{COLUMN}list_{page + 1}.html"


def summary(article: Article) -> str:
    """What the list shows under the title: the first characters of the text."""
    flat = "".join(article.paragraphs)
    return flat[:SUMMARY_CHARS] + ("..." if len(flat) > SUMMARY_CHARS else "")


def _item(article: Article, path: str) -> str:
    return f"""<div class="news-item">
<div class="news-date"><span class="day">{article.published:%d}</span><span class="ym">{article.published:%Y-%m}</span></div>
<div class="news-text"><h3><a href="{path}" target="_blank">{m.text(article.title)}</a></h3>
<p class="summary">{m.text(summary(article))}</p>
<span class="time">{article.published:%Y-%m-%d}</span></div></div>"""


def _page(title: str, inner: str) -> str:
    return f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<link rel="stylesheet" href="/static/css/main.css">
</head><body>
{HEADER}
<div class="container main">
{inner}
{ASIDE}
</div>
{FOOTER}
<script src="/static/js/app.js"></script>
</body></html>"""


def _list_page(items: list[str], page: int, total: int) -> str:
    numbers = " ".join(
        f'<span class="current">{n + 1}</span>' if n == page else f'<a href="{list_path(n)}">{n + 1}</a>'
        for n in range(total)
    )
    last = f'<a class="last" href="{list_path(total - 1)}">尾页</a>' if page < total - 1 else ""
    inner = f"""<section class="content"><div class="crumb">首页 &gt; 招商动态</div>
<div class="news-list">
{chr(10).join(items)}
</div>
<div class="pagination">{numbers} {last}</div></section>"""
    return _page(f"招商动态-{SITE_NAME}", inner)


def _article_page(article: Article) -> str:
    body = "\n".join(f"<p>{m.text(p)}</p>" for p in article.paragraphs)
    files = "".join(
        f'<li><a href="./{name}" download>{m.text(label)}</a></li>' for name, label in article.attachments
    )
    attachments = f'<div class="attachments"><h4>附件下载</h4><ul>{files}</ul></div>' if files else ""
    inner = f"""<section class="content">
<div class="crumb"><a href="/">首页</a> &gt; <a href="{COLUMN}">招商动态</a> &gt; 正文</div>
<article class="article">
<h1 class="article-title">{m.text(article.title)}</h1>
<div class="article-meta"><span>发布时间：{article.published:%Y-%m-%d}</span><span>来源：{m.text(article.source)}</span><span>浏览：<em>{article.id % 997 + 103}</em>次</span></div>
<div class="article-content">
{body}
</div>
{attachments}
<div class="share">分享到：<a>微信</a><a>微博</a><a>QQ空间</a></div>
<div class="disclaimer">有想补充的信息？欢迎联系我们。招商热线：{HOTLINE}</div>
<div class="prev-next"><p>上一篇：<a href="{COLUMN}">返回列表</a></p></div>
</article></section>"""
    return _page(f"{m.text(article.title)}-{SITE_NAME}", inner)


def build(edition: Edition) -> SiteBuild:
    pages: dict[str, Page] = {}
    expected = [(article_path(a), a) for a in edition.articles]
    for path, article in expected:
        pages[path] = m.html_page(_article_page(article), edition.modified[article.id])
        pages.update(m.attachment_pages(article, path))
    trap_path = article_path(edition.trap, TRAP_COLUMN)
    pages[trap_path] = m.html_page(_article_page(edition.trap), edition.trap.published)
    items = [_item(a, p) for p, a in expected]
    items.insert(5, _item(edition.trap, trap_path))
    chunks = m.paginate(items, PER_PAGE)
    for n, chunk in enumerate(chunks):
        pages[list_path(n)] = m.html_page(_list_page(chunk, n, len(chunks)), m.newest(edition))
    pages["/robots.txt"] = m.robots(TRAP_COLUMN)
    return SiteBuild(pages=pages, expected=expected, start_paths=[list_path(0)])
