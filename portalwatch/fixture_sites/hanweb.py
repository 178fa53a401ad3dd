# ruff: noqa: E501  (HTML templates keep the portals' long lines)
"""A Hanweb JCMS (大汉) column: `datastore` XML in the column page, `dataproxy.jsp` POST paging."""

from __future__ import annotations

from http.server import BaseHTTPRequestHandler

from portalwatch.fixture_sites import markup as m
from portalwatch.fixture_sites.content import Edition
from portalwatch.fixture_sites.records import Article, Page, Request, SiteBuild

SITE_NAME = "青岛市投资促进局"
COLUMN_ID, UNIT_ID, WEB_ID = 7582, 32161, 40
COLUMN = f"/col/col{COLUMN_ID}/index.html"
PROXY = "/module/web/jpage/dataproxy.jsp"
PER_PAGE = 15
MAX_RECORDS = 300  # most records one dataproxy call answers
TRAP_DIR = "/art/nbzl/"  # disallowed in robots.txt
PROXY_PARAMS = (
    f"col=1&appid=1&webid={WEB_ID}&path=%2F&columnid={COLUMN_ID}&sourceContentType=1&unitid={UNIT_ID}"
    f"&webname=%E9%9D%92%E5%B2%9B%E5%B8%82%E6%8A%95%E8%B5%84%E4%BF%83%E8%BF%9B%E5%B1%80&permissiontype=0"
)


def article_path(article: Article) -> str:
    p = article.published
    return f"/art/{p.year}/{p.month}/{p.day}/art_{COLUMN_ID}_{article.id}.html"


def _record(article: Article, path: str) -> str:
    return (
        f'<record><![CDATA[\n<li><a href="{path}" target="_blank" title="{m.attr(article.title)}">'
        f"{m.text(article.title)}</a><span>{article.published:%Y-%m-%d}</span></li>\n]]></record>"
    )


def _column_page(records: list[str], total: int) -> str:
    return f"""<!DOCTYPE html>
<html><head>
<meta http-equiv="Content-Type" content="text/html; charset=UTF-8">
<meta name="SiteName" content="{SITE_NAME}"><meta name="SiteDomain" content="invest.qingdao.gov.cn">
<meta name="SiteIDCode" content="3702000041"><meta name="ColumnName" content="招商动态">
<meta name="ColumnType" content="招商动态">
<title>招商动态 {SITE_NAME}</title>
<script type="text/javascript" src="/module/web/jpage/jquery.min.js"></script>
<link rel="stylesheet" href="/images/css/index.css">
</head><body>
<div class="head"><div class="logo"><img src="/images/logo.png" alt="{SITE_NAME}"></div>
<div class="nav"><a href="/">首页</a><a href="/col/col7581/index.html">工作动态</a><a href="{COLUMN}">招商动态</a>
<a href="/col/col7590/index.html">投资指南</a><a href="/col/col7601/index.html">政策法规</a></div></div>
<div class="con"><div class="bt-position">当前位置：<a href="/">首页</a> &gt; <a href="{COLUMN}">招商动态</a></div>
<div class="list"><div id="{UNIT_ID}"><script type="text/xml"><datastore>
<nextgroup><![CDATA[<a href="{PROXY}?page=1&{PROXY_PARAMS}"></a>]]></nextgroup>
<recordset>
{chr(10).join(records)}
</recordset>
</datastore></script></div>
<script language="javascript" src="/module/web/jpage/jquery.jpage.js"></script>
<script>
$(document).ready(function(){{
  $('#{UNIT_ID}').jpage({{
    dataStore: dataStore, proxyUrl: '{PROXY}', perPage: {PER_PAGE}, totalRecord: {total},
    groupSize: 3, barPosition: 'bottom', ajaxParam: '{PROXY_PARAMS}',
    showMode: 'full', configs: {{ page: 'page', startrecord: 'startrecord', endrecord: 'endrecord', perpage: 'perpage' }}
  }});
}});
</script></div></div>
<div class="foot"><p>主办：{SITE_NAME}　地址：青岛市市南区香港中路 电话：0532-85911234</p>
<p><a href="https://beian.miit.gov.cn">鲁ICP备15023456号-2</a>　网站标识码：3702000041</p></div>
</body></html>"""


def _article_page(article: Article) -> str:
    body = "\n".join(m.styled_paragraph(p, n) for n, p in enumerate(article.paragraphs))
    files = "".join(
        f'<a href="./{name}" target="_blank">{m.text(label)}</a><br>' for name, label in article.attachments
    )
    attachments = f'<div class="fj">附件：{files}</div>' if files else ""
    return f"""<!DOCTYPE html>
<html><head>
<meta http-equiv="Content-Type" content="text/html; charset=UTF-8">
<meta name="SiteName" content="{SITE_NAME}"><meta name="SiteDomain" content="invest.qingdao.gov.cn">
<meta name="SiteIDCode" content="3702000041"><meta name="ColumnName" content="招商动态">
<meta name="ArticleTitle" content="{m.attr(article.title)}">
<meta name="PubDate" content="{article.published:%Y-%m-%d %H:%M}">
<meta name="ContentSource" content="{m.attr(article.source)}">
<title>{m.text(article.title)} {SITE_NAME}</title>
<link rel="stylesheet" href="/images/css/index.css">
</head><body>
<div class="head"><div class="nav"><a href="/">首页</a><a href="{COLUMN}">招商动态</a></div></div>
<div class="main-txt">
<div class="bt-position">当前位置：<a href="/">首页</a> &gt; <a href="{COLUMN}">招商动态</a></div>
<div class="main-txt-title">{m.text(article.title)}</div>
<div class="main-txt-info"><span>发布日期：{article.published:%Y-%m-%d}</span><span>信息来源：{m.text(article.source)}</span>
<span>浏览次数：<script language="javascript" src="/module/visitcount/articlehits.jsp?colid={COLUMN_ID}&artid={article.id}"></script></span>
<span>字体：[ <a href="javascript:doZoom(20)">大</a> <a href="javascript:doZoom(16)">中</a> <a href="javascript:doZoom(12)">小</a> ]</span></div>
<div id="zoom">
<!--ZJEG_RSS.content.begin--><meta name="ContentStart">{body}<meta name="ContentEnd"><!--ZJEG_RSS.content.end-->
</div>
{attachments}
<div class="share">分享到：<a class="share-wx">微信</a><a class="share-wb">微博</a></div>
<div class="btn">【<a href="javascript:window.print()">打印本页</a>】【<a href="javascript:window.close()">关闭窗口</a>】</div>
</div>
<div class="foot"><p>主办：{SITE_NAME}</p><p><a href="https://beian.miit.gov.cn">鲁ICP备15023456号-2</a></p></div>
</body></html>"""


def _proxy(records: list[str]):
    """The dataproxy.jsp endpoint: the records startrecord..endrecord (1-based, inclusive) as XML."""

    def answer(handler: BaseHTTPRequestHandler, request: Request) -> None:
        form = request.form
        if form.get("columnid") != str(COLUMN_ID):
            chosen: list[str] = []
        else:
            try:
                start = max(int(form.get("startrecord", "1")), 1)
                end = min(int(form.get("endrecord", str(start + PER_PAGE - 1))), start + MAX_RECORDS - 1)
            except ValueError:
                start, end = 1, 0
            chosen = records[start - 1:end]
        pages = -(-len(records) // PER_PAGE)
        xml = (
            f'<?xml version="1.0" encoding="UTF-8"?><datastore><totalrecord>{len(records)}</totalrecord>'
            f"<totalpage>{pages}</totalpage><recordset>{''.join(chosen)}</recordset></datastore>"
        )
        handler.send_page(Page(body=xml.encode(), content_type="text/xml;charset=UTF-8"))

    return answer


def build(edition: Edition) -> SiteBuild:
    pages: dict[str, Page] = {}
    expected = [(article_path(a), a) for a in edition.articles]
    for path, article in expected:
        pages[path] = m.html_page(_article_page(article), edition.modified[article.id])
        pages.update(m.attachment_pages(article, path))
    trap_path = f"{TRAP_DIR}art_{COLUMN_ID}_{edition.trap.id}.html"
    pages[trap_path] = m.html_page(_article_page(edition.trap), edition.trap.published)
    records = [_record(a, p) for p, a in expected]
    records.insert(2, _record(edition.trap, trap_path))
    pages[COLUMN] = m.html_page(_column_page(records[:PER_PAGE], len(records)), m.newest(edition))
    pages["/robots.txt"] = m.robots(TRAP_DIR)
    return SiteBuild(pages=pages, expected=expected, routes={PROXY: _proxy(records)}, start_paths=[COLUMN])
