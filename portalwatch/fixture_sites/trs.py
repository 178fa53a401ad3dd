# ruff: noqa: E501  (HTML templates keep the portals' long lines)
"""A TRS WCM district government site: `index_N.shtml` lists, `tYYYYMMDD_<docid>.shtml` articles."""

from __future__ import annotations

from portalwatch.fixture_sites import markup as m
from portalwatch.fixture_sites.content import Edition
from portalwatch.fixture_sites.records import Article, Page, SiteBuild

SITE_NAME = "青岛市崂山区人民政府"
COLUMN = "/xwzx/qxyw/"  # 区县要闻, the news column the portal config starts at
POLICY_COLUMN = "/zwgk/zcwj/gfxwj/"  # xxgk policy documents, linked from the news column with ../
TRAP_COLUMN = "/xwzx/nbzl/"  # 内部资料: disallowed in robots.txt
PER_PAGE = 15
HEADER = f"""<div class="top"><div class="w1200"><span class="fl">欢迎访问{SITE_NAME}门户网站</span>
<span class="fr"><a href="/wza/">无障碍</a> | <a href="javascript:void(0)" onclick="addFavorite()">加入收藏</a></span></div></div>
<div class="header"><div class="logo"><a href="/"><img src="/images/logo.png" alt="{SITE_NAME}"></a></div>
<div class="search"><form action="/search/" method="get"><input name="searchWord" type="text"><button>搜索</button></form></div>
<ul class="nav"><li><a href="/">首页</a></li><li><a href="/xwzx/">新闻中心</a></li><li><a href="/zwgk/">政务公开</a>
<li><a href="/zwfw/">政务服务</a></li><li><a href="/hdjl/">互动交流</a></li><li><a href="/tzls/">投资崂山</a></li></ul></div>"""
FOOTER = f"""<div class="footer"><div class="w1200"><p><a href="/wzdt/">网站地图</a> | <a href="/lxwm/">联系我们</a></p>
<p>主办单位：{SITE_NAME}办公室　　承办：崂山区大数据中心</p>
<p>网站标识码：3702120001　<a href="https://beian.miit.gov.cn/">鲁ICP备05011247号-1</a>　鲁公网安备 37021202000123号
<p>建议使用1280×800以上分辨率浏览
</div></div>"""
STYLE = ".TRS_Editor P{margin-top:0px;margin-bottom:12px;line-height:2;font-family:宋体;font-size:12pt;}" \
    ".TRS_Editor TD{font-size:12pt;}"


def article_path(article: Article) -> str:
    column = POLICY_COLUMN if article.doc_number else COLUMN
    stamp = article.published.strftime("%Y%m%d")
    return f"{column}{stamp[:6]}/t{stamp}_{article.id}.shtml"


def list_path(page: int) -> str:
    return f"{COLUMN}index.shtml" if page == 0 else f"{COLUMN}index_{page}.shtml"


def list_item(article: Article, path: str) -> str:
    return (
        f'<li><span class="date">{article.published:%Y-%m-%d}</span>'
        f'<a href="{m.relative(COLUMN, path)}" target="_blank" title="{m.attr(article.title)}">'
        f"{m.text(article.title)}</a>"
    )


def list_page(items: list[str], page: int, total: int) -> str:
    return f"""<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml"><head>
<meta http-equiv="Content-Type" content="text/html; charset=utf-8" />
<title>区县要闻_{SITE_NAME}</title>
<meta name="SiteName" content="{SITE_NAME}">
<meta name="ColumnName" content="区县要闻">
<link href="/images/css/style.css" rel="stylesheet" type="text/css" />
<script type="text/javascript" src="/images/js/jquery.min.js"></script>
</head><body>
{HEADER}
<div class="w1200 position">当前位置：<a href="../../">首页</a> &gt; <a href="../">新闻中心</a> &gt; 区县要闻</div>
<div class="w1200 main"><div class="left_nav"><h3>新闻中心</h3><ul><li class="on"><a href="./">区县要闻</a></li>
<li><a href="../tzgg/">通知公告</a></li><li><a href="../zwdt/">部门动态</a></li></ul></div>
<div class="list_box"><div class="list_title">区县要闻</div>
<ul class="list_ul">
{chr(10).join(items)}
</ul>
<div class="page">
<script type="text/javascript">
function createPageHTML(_nPageCount, _nCurrIndex, _sPageName, _sPageExt){{
  if(_nPageCount == null || _nPageCount<=1){{ return; }}
  var nCurrIndex = _nCurrIndex || 0;
  if(nCurrIndex == 0) document.write("<span>首页</span>&nbsp;");
  else document.write("<a href=\\""+_sPageName+"."+_sPageExt+"\\">首页</a>&nbsp;");
  for(var i=1; i<_nPageCount; i++){{ if(i == nCurrIndex) document.write("<span>"+(i+1)+"</span>&nbsp;");
  else document.write("<a href=\\""+_sPageName+"_"+i+"."+_sPageExt+"\\">"+(i+1)+"</a>&nbsp;"); }}
}}
createPageHTML({total}, {page}, "index", "shtml");
</script>
</div>
</div></div>
{FOOTER}
</body></html>"""


def _meta_table(article: Article) -> str:
    return f"""<table class="xxgk_table" cellspacing="0" cellpadding="0">
<tr><th>索引号：</th><td>11370212MB28{article.id % 100000:05d}/2026-{article.id % 1000:05d}</td>
<th>发布机构：</th><td>{m.text(article.issuer)}</td></tr>
<tr><th>主题分类：</th><td>综合政务</td><th>成文日期：</th><td>{article.published:%Y年%m月%d日}</td></tr>
<tr><th>名称：</th><td colspan="3">{m.text(article.title)}</td></tr>
<tr><th>文号：</th><td>{m.text(article.doc_number)}</td><th>发布日期：</th><td>{article.published:%Y-%m-%d}</td></tr>
</table>"""


def article_page(article: Article) -> str:
    body = "\n".join(m.styled_paragraph(p, n) for n, p in enumerate(article.paragraphs))
    policy = bool(article.doc_number)
    editor = "TRS_UEDITOR trs_paper_default trs_web" if policy else "TRS_Editor"
    files = "".join(
        f'<p><a href="./{name}" target="_blank">{m.text(label)}</a></p>' for name, label in article.attachments
    )
    attachments = f'<div class="fj"><span>附件：</span>{files}</div>' if files else ""
    column = "规范性文件" if policy else "区县要闻"
    return f"""<!DOCTYPE html>
<html><head>
<meta charset="utf-8">
<title>{m.text(article.title)}_{SITE_NAME}</title>
<meta name="SiteName" content="{SITE_NAME}">
<meta name="SiteDomain" content="www.laoshan.gov.cn">
<meta name="ColumnName" content="{column}">
<meta name="ArticleTitle" content="{m.attr(article.title)}">
<meta name="PubDate" content="{article.published:%Y-%m-%d %H:%M}">
<meta name="ContentSource" content="{m.attr(article.source)}">
<meta name="Keywords" content="{m.attr(article.title[:10])}">
<link href="/images/css/style.css" rel="stylesheet" type="text/css" />
</head><body>
{HEADER}
<div class="w1200 position">当前位置：<a href="../../../">首页</a> &gt; <a href="../../">{'政务公开' if policy else '新闻中心'}</a> &gt; <a href="../">{column}</a></div>
<div class="w1200 content">
{_meta_table(article) if policy else ''}
<h1 class="art_title">{m.text(article.title)}</h1>
<div class="art_info"><span>发布时间：{article.published:%Y-%m-%d %H:%M}</span><span>来源：{m.text(article.source)}</span>
<span class="fontsize">字号：<a href="javascript:doZoom(18)">大</a> <a href="javascript:doZoom(16)">中</a> <a href="javascript:doZoom(14)">小</a></span></div>
<div class="bdsharebuttonbox"><span>分享到：</span><a class="bds_weixin" data-cmd="weixin" title="分享到微信"></a><a class="bds_tsina" data-cmd="tsina" title="分享到新浪微博"></a></div>
<div id="zoom" class="art_con">
<div class="{editor}"><style type="text/css">{STYLE}</style>
{body}
<p><br /></p>
</div></div>
{attachments}
<div class="art_btn">【<a href="javascript:window.print()">打印本页</a>】【<a href="javascript:window.close()">关闭窗口</a>】</div>
</div>
{FOOTER}
</body></html>"""


def build(edition: Edition) -> SiteBuild:
    pages: dict[str, Page] = {}
    expected = [(article_path(a), a) for a in edition.articles]
    for path, article in expected:
        pages[path] = m.html_page(article_page(article), edition.modified[article.id])
        pages.update(m.attachment_pages(article, path))
    trap_path = f"{TRAP_COLUMN}{edition.trap.published:%Y%m}/t{edition.trap.published:%Y%m%d}_{edition.trap.id}.shtml"
    pages[trap_path] = m.html_page(article_page(edition.trap), edition.trap.published)
    items = [list_item(a, p) for p, a in expected]
    items.insert(3, list_item(edition.trap, trap_path))
    chunks = m.paginate(items, PER_PAGE)
    for n, chunk in enumerate(chunks):
        pages[list_path(n)] = m.html_page(list_page(chunk, n, len(chunks)), m.newest(edition))
    pages["/robots.txt"] = m.robots(TRAP_COLUMN)
    return SiteBuild(pages=pages, expected=expected, start_paths=[list_path(0)])
