# ruff: noqa: E501  (HTML templates keep the portals' long lines)
"""The older Qingdao platform: `/n<id>/n<id>/index.html` lists in `#listChangeDiv`, bodies in `#Zoom2`.

Its markup is old and sloppy: table layout, upper-case tags, `<P>` never closed.
"""

from __future__ import annotations

from portalwatch.fixture_sites import markup as m
from portalwatch.fixture_sites.content import Edition
from portalwatch.fixture_sites.records import Article, Page, SiteBuild

SITE_NAME = "青岛政务网"
COLUMN = "/n172/n24624151/n24624163/"
TRAP_COLUMN = "/n172/n24624151/n99999999/"  # disallowed in robots.txt
PER_PAGE = 10


def article_path(article: Article) -> str:
    return f"{COLUMN}c{article.id}/content.html"


def list_path(page: int) -> str:
    return f"{COLUMN}index.html" if page == 0 else f"{COLUMN}index_{page + 1}.html"


def _item(article: Article, path: str) -> str:
    return (
        f'<li><a href="{path}" target="_blank" title="{m.attr(article.title)}">{m.text(article.title)}</a>'
        f"<span>{article.published:%Y-%m-%d}</span></li>"
    )


def _pager(page: int, total: int) -> str:
    links = [f"共{total}页　第{page + 1}页"]
    if page > 0:
        links.append(f'<a href="{list_path(0).rsplit("/", 1)[1]}">首页</a>')
        links.append(f'<a href="{list_path(page - 1).rsplit("/", 1)[1]}">上一页</a>')
    if page < total - 1:
        links.append(f'<a href="{list_path(page + 1).rsplit("/", 1)[1]}">下一页</a>')
        links.append(f'<a href="{list_path(total - 1).rsplit("/", 1)[1]}">尾页</a>')
    return "　".join(links)


def _frame(title: str, inner: str) -> str:
    return f"""<HTML><HEAD>
<META http-equiv="Content-Type" content="text/html; charset=utf-8">
<TITLE>{title}</TITLE>
<LINK href="/css/qdgov.css" type="text/css" rel="stylesheet">
</HEAD>
<BODY leftMargin=0 topMargin=0>
<TABLE cellSpacing=0 cellPadding=0 width=1000 align=center border=0>
<TR><TD><IMG src="/images/top_banner.jpg" width=1000 height=120></TD></TR>
<TR><TD class="nav"><A href="/">首页</A> | <A href="/n172/">政务公开</A> | <A href="{COLUMN}index.html">青岛要闻</A> | <A href="/n172/n24624151/n24624175/index.html">区市动态</A></TD></TR>
</TABLE>
<TABLE cellSpacing=0 cellPadding=0 width=1000 align=center border=0>
<TR><TD vAlign=top>
{inner}
</TD></TR></TABLE>
<TABLE cellSpacing=0 cellPadding=0 width=1000 align=center border=0 class="bottom">
<TR><TD align=center>青岛市人民政府办公厅主办　青岛市电子政务和信息资源管理办公室承办<BR>
鲁ICP备05001234号　<A href="/n172/wzdt.html">网站地图</A>
</TD></TR></TABLE>
</BODY></HTML>"""


def _list_page(items: list[str], page: int, total: int) -> str:
    inner = f"""<DIV class="position">您现在的位置：<A href="/">首页</A> &gt;&gt; 青岛要闻</DIV>
<DIV id="listChangeDiv"><UL>
{chr(10).join(items)}
</UL></DIV>
<DIV class="fenye">{_pager(page, total)}</DIV>"""
    return _frame(f"青岛要闻-{SITE_NAME}", inner)


def _article_page(article: Article) -> str:
    body = "\n".join(f"<P>　　{m.text(p)}" for p in article.paragraphs)
    inner = f"""<DIV class="position">您现在的位置：<A href="/">首页</A> &gt;&gt; <A href="{COLUMN}index.html">青岛要闻</A></DIV>
<TABLE width="100%" border=0><TR><TD align=center class="titlestyle1"><H2>{m.text(article.title)}</H2></TD></TR>
<TR><TD align=center class="time">发布日期：{article.published:%Y年%m月%d日}　　来源：{m.text(article.source)}　　【字体：<A href="javascript:doZoom(16)">大</A> <A href="javascript:doZoom(14)">中</A> <A href="javascript:doZoom(12)">小</A>】</TD></TR>
<TR><TD>
<DIV id="Zoom2">
{body}
</DIV>
</TD></TR>
<TR><TD align=right>【<A href="javascript:window.print()">打印本页</A>】【<A href="javascript:window.close()">关闭窗口</A>】</TD></TR>
</TABLE>"""
    return _frame(f"{m.text(article.title)}-{SITE_NAME}", inner)


def build(edition: Edition) -> SiteBuild:
    pages: dict[str, Page] = {}
    expected = [(article_path(a), a) for a in edition.articles]
    for path, article in expected:
        pages[path] = m.html_page(_article_page(article), edition.modified[article.id])
    trap_path = f"{TRAP_COLUMN}c{edition.trap.id}/content.html"
    pages[trap_path] = m.html_page(_article_page(edition.trap), edition.trap.published)
    items = [_item(a, p) for p, a in expected]
    items.insert(1, _item(edition.trap, trap_path))
    chunks = m.paginate(items, PER_PAGE)
    for n, chunk in enumerate(chunks):
        pages[list_path(n)] = m.html_page(_list_page(chunk, n, len(chunks)), m.newest(edition))
    pages["/robots.txt"] = m.robots(TRAP_COLUMN)
    return SiteBuild(pages=pages, expected=expected, start_paths=[list_path(0)])
