# ruff: noqa: E501  (HTML templates keep the portals' long lines)
"""A column whose list the browser builds: the page is a shell, its script fetches the entries as JSON."""

from __future__ import annotations

import json
from http.server import BaseHTTPRequestHandler

from portalwatch.fixture_sites import markup as m
from portalwatch.fixture_sites.content import Edition
from portalwatch.fixture_sites.records import Article, Page, Request, SiteBuild

SITE_NAME = "青岛西海岸新区招商网"
COLUMN = "/tzdt/index.html"
API = "/api/cms/article/list"
PER_PAGE = 10
TRAP_DIR = "/nbzl/"  # disallowed in robots.txt
COUNTER = "/stat/visit.do"  # the page's visit counter, which its script calls; robots.txt disallows /stat/

SHELL = f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>投资动态 - {SITE_NAME}</title>
<meta name="viewport" content="width=device-width,initial-scale=1"></head>
<body>
<div class="header"><a href="/">首页</a> <a href="/tzdt/index.html">投资动态</a> <a href="/zcfg/index.html">政策法规</a> <a href="/lxwm.html">联系我们</a></div>
<div class="crumb">当前位置：<a href="/">首页</a> &gt; 投资动态</div>
<div class="main"><h3 class="column-title">投资动态</h3>
<ul class="news-list" id="newsList"><li class="loading">加载中…</li></ul>
<div class="pages" id="pager"></div></div>
<div class="footer">{SITE_NAME} 版权所有 鲁ICP备18035210号</div>
<script>
(function () {{
  var m = /[?&]page=(\\d+)/.exec(location.search), page = m ? parseInt(m[1], 10) : 1;
  fetch("{API}?columnId=1021&pageNo=" + page + "&pageSize={PER_PAGE}", {{headers: {{"Accept": "application/json"}}}})
    .then(function (r) {{ return r.json(); }})
    .then(function (data) {{
      var list = document.getElementById("newsList");
      list.innerHTML = "";
      data.rows.forEach(function (row) {{
        var li = document.createElement("li"), a = document.createElement("a"), span = document.createElement("span");
        a.href = row.linkUrl; a.title = row.title; a.textContent = row.title;
        span.className = "date"; span.textContent = row.publishDate;
        li.appendChild(a); li.appendChild(span); list.appendChild(li);
      }});
      if (page < data.totalPage) {{
        var next = document.createElement("a");
        next.href = "index.html?page=" + (page + 1); next.textContent = "下一页";
        document.getElementById("pager").appendChild(next);
      }}
    }});
  fetch("{COUNTER}?columnId=1021&pageNo=" + page);
}})();
</script>
</body></html>"""


def article_path(article: Article, folder: str = "/tzdt/") -> str:
    return f"{folder}{article.published:%Y%m}/{article.id}.html"


def _article_page(article: Article) -> str:
    return f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{m.text(article.title)} - {SITE_NAME}</title></head>
<body>
<div class="header"><a href="/">首页</a> <a href="/tzdt/index.html">投资动态</a></div>
<div class="article">
<h1 class="article-title">{m.text(article.title)}</h1>
<div class="article-info">发布时间：{article.published:%Y-%m-%d %H:%M}　来源：{m.text(article.source)}</div>
<div class="article-content">
{m.plain_paragraphs(article)}
</div></div>
<div class="footer">{SITE_NAME} 版权所有</div>
</body></html>"""


def _api(rows: list[dict]) -> callable:
    pages = m.paginate(rows, PER_PAGE)

    def answer(handler: BaseHTTPRequestHandler, request: Request) -> None:
        try:
            number = max(1, int(request.form.get("pageNo", "1")))
        except ValueError:
            number = 1
        chunk = pages[number - 1] if number <= len(pages) else []
        body = {"code": 200, "total": len(rows), "totalPage": len(pages), "pageNo": number, "rows": chunk}
        handler.send_page(Page(body=json.dumps(body, ensure_ascii=False).encode(), content_type="application/json; charset=utf-8"))

    return answer


def _counter(handler: BaseHTTPRequestHandler, request: Request) -> None:
    handler.send_page(Page(body=b'{"code": 200}', content_type="application/json; charset=utf-8"))


def build(edition: Edition) -> SiteBuild:
    pages, expected, listed = m.article_pages(edition, article_path, _article_page, TRAP_DIR, 4)
    rows = [{"title": a.title, "linkUrl": path, "publishDate": f"{a.published:%Y-%m-%d}"} for path, a in listed]
    pages[COLUMN] = m.html_page(SHELL, m.newest(edition))
    pages["/robots.txt"] = m.robots(TRAP_DIR, COUNTER.rsplit("/", 1)[0] + "/")
    return SiteBuild(pages=pages, expected=expected, routes={API: _api(rows), COUNTER: _counter},
                     start_paths=[COLUMN])
