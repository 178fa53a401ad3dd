# ruff: noqa: E501  (HTML snippets keep the portals' long lines)
"""Each portal kind on a small page in its style: detection, list links, paging and article fields."""

from datetime import date

from crawler.extract import Extractor, NextPage, Page, detect
from portalwatch.config import Selectors

BASE = "http://127.0.0.1:8000"
ARTICLE_TEXT = "近日，总投资32亿元的海创新能源项目在崂山区签约。\n项目建成后年产值10亿元，带动就业800人。"
BODY_HTML = (
    '<p style="text-indent:2em"><span>　　近日，总投资32亿元的</span><span><strong>海创新能源项目在崂山区签约。'
    "</strong></span></p><p>　　项目建成后年产值10亿元，带动就业800人。</p>"
)


def page(path: str, markup: str, form: dict[str, str] | None = None) -> Page:
    return Page(url=BASE + path, html=markup, form=form or {})


def fields(p: Page, selectors: Selectors | None = None) -> tuple:
    article = Extractor(detect(p), selectors).article(p)
    return article.title, article.published, article.text, article.attachments


TRS_LIST = """<html><head><title>区县要闻_青岛市崂山区人民政府</title></head><body>
<ul class="nav"><li><a href="/">首页</a></li><li><a href="/xwzx/">新闻中心</a></li></ul>
<ul class="list_ul">
<li><span>2026-03-05</span><a href="./202603/t20260305_101.shtml">海创新能源项目在崂山区签约</a></li>
<li><span>2026-03-04</span><a href="../../zwgk/zcwj/202603/t20260304_100.shtml">崂山区印发支持数字经济发展若干措施</a></li>
</ul>
<script>function createPageHTML(_nPageCount, _nCurrIndex, _sPageName, _sPageExt){}
createPageHTML(3, %d, "index", "shtml");</script></body></html>"""

TRS_ARTICLE = f"""<html><head><title>海创新能源项目在崂山区签约_青岛市崂山区人民政府</title>
<meta name="ArticleTitle" content="海创新能源项目在崂山区签约"><meta name="PubDate" content="2026-03-05 10:20">
</head><body><div class="position">当前位置：首页 &gt; 新闻中心</div>
<h1>海创新能源项目在崂山区签约</h1><div class="info">发布时间：2026-03-05 10:20 来源：崂山区融媒体中心</div>
<div id="zoom"><div class="TRS_Editor"><style>.TRS_Editor P{{margin:0}}</style>{BODY_HTML}<p><br/></p></div></div>
<div class="fj">附件：<a href="./P020260305.pdf">项目清单.pdf</a></div>
<div>【<a href="javascript:window.print()">打印本页</a>】【<a href="javascript:window.close()">关闭窗口</a>】</div>
</body></html>"""


def test_trs_list_pages_give_article_links_and_the_next_index_page() -> None:
    first = page("/xwzx/qxyw/", TRS_LIST % 0)
    extractor = Extractor(detect(first))
    assert extractor.name == "trs"
    assert extractor.list_links(first) == [
        f"{BASE}/xwzx/qxyw/202603/t20260305_101.shtml",
        f"{BASE}/zwgk/zcwj/202603/t20260304_100.shtml",
    ]
    assert extractor.next_page(first) == NextPage(f"{BASE}/xwzx/qxyw/index_1.shtml")
    assert extractor.next_page(page("/xwzx/qxyw/index_2.shtml", TRS_LIST % 2)) is None


def test_trs_article_title_date_text_and_attachment() -> None:
    assert fields(page("/xwzx/qxyw/202603/t20260305_101.shtml", TRS_ARTICLE)) == (
        "海创新能源项目在崂山区签约", date(2026, 3, 5), ARTICLE_TEXT, [f"{BASE}/xwzx/qxyw/202603/P020260305.pdf"],
    )


HANWEB_COLUMN = """<html><head><title>招商动态 青岛市投资促进局</title></head><body>
<div id="32161"><script type="text/xml"><datastore>
<nextgroup><![CDATA[<a href="/module/web/jpage/dataproxy.jsp?page=1&amp;col=1&amp;appid=1&amp;webid=40&amp;path=%2F&amp;columnid=7582&amp;unitid=32161&amp;webname=%E9%9D%92%E5%B2%9B&amp;permissiontype=0"></a>]]></nextgroup>
<recordset>
<record><![CDATA[<li><a href="/art/2026/3/5/art_7582_1.html" title="t">海创新能源项目在崂山区签约</a><span>2026-03-05</span></li>]]></record>
<record><![CDATA[<li><a href="/art/2026/3/4/art_7582_2.html" title="t">胶州上合示范区物流项目开工</a><span>2026-03-04</span></li>]]></record>
</recordset></datastore></script></div>
<script>$('#32161').jpage({ proxyUrl: '/module/web/jpage/dataproxy.jsp', perPage: 2, totalRecord: 5 });</script>
</body></html>"""
HANWEB_PROXY = """<?xml version="1.0" encoding="UTF-8"?><datastore><totalrecord>5</totalrecord><recordset>
<record><![CDATA[<li><a href="/art/2026/3/3/art_7582_3.html">平度新河化工基地项目签约落地</a></li>]]></record>
<record><![CDATA[<li><a href="/art/2026/3/2/art_7582_4.html">莱西姜山新城智能装备项目封顶</a></li>]]></record>
</recordset></datastore>"""


def test_hanweb_column_records_then_dataproxy_posts_until_the_last_record() -> None:
    column = page("/col/col7582/index.html", HANWEB_COLUMN)
    extractor = Extractor(detect(column))
    assert extractor.name == "hanweb"
    assert extractor.list_links(column) == [f"{BASE}/art/2026/3/5/art_7582_1.html", f"{BASE}/art/2026/3/4/art_7582_2.html"]
    second = extractor.next_page(column)
    assert second is not None
    assert second.url == f"{BASE}/module/web/jpage/dataproxy.jsp?startrecord=3&endrecord=4&perpage=2"
    assert second.form == {"col": "1", "appid": "1", "webid": "40", "path": "/", "columnid": "7582",
                           "unitid": "32161", "webname": "青岛", "permissiontype": "0"}
    answer = page("/module/web/jpage/dataproxy.jsp?startrecord=3&endrecord=4&perpage=2", HANWEB_PROXY, second.form)
    assert extractor.list_links(answer)[0] == f"{BASE}/art/2026/3/3/art_7582_3.html"
    third = extractor.next_page(answer)
    assert third is not None and third.url.endswith("startrecord=5&endrecord=6&perpage=2")
    last = page("/module/web/jpage/dataproxy.jsp?startrecord=5&endrecord=6&perpage=2",
                HANWEB_PROXY.replace("</record>\n<record>", "</record><!--", 1) + "-->", second.form)
    assert extractor.next_page(last) is None


def test_hanweb_article_body_between_the_zjeg_markers() -> None:
    markup = f"""<html><head><title>海创新能源项目在崂山区签约 青岛市投资促进局</title>
    <meta name="ArticleTitle" content="海创新能源项目在崂山区签约"></head><body>
    <div class="main-txt-info"><span>发布日期：2026-03-05</span><span>浏览次数：<script>hits()</script></span></div>
    <div id="zoom"><!--ZJEG_RSS.content.begin--><meta name="ContentStart">{BODY_HTML}<meta name="ContentEnd"><!--ZJEG_RSS.content.end--></div>
    <div class="share">分享到：<a>微信</a></div></body></html>"""
    assert fields(page("/art/2026/3/5/art_7582_1.html", markup)) == (
        "海创新能源项目在崂山区签约", date(2026, 3, 5), ARTICLE_TEXT, [],
    )


def test_older_qingdao_platform_list_and_sloppy_zoom2_body() -> None:
    listing = page("/n172/n1/n2/index.html", """<HTML><BODY><TABLE><TR><TD class=nav><A href="/">首页</A></TD></TR>
    <TR><TD><DIV id="listChangeDiv"><UL><LI><A href="/n172/n1/n2/c101/content.html">海创新能源项目在崂山区签约</A>
    <SPAN>2026-03-05</SPAN></LI></UL></DIV><DIV class=fenye>共3页 <A href="index_2.html">下一页</A></DIV></TD></TR></TABLE>
    </BODY></HTML>""")
    extractor = Extractor(detect(listing))
    assert extractor.name == "oldqd"
    assert extractor.list_links(listing) == [f"{BASE}/n172/n1/n2/c101/content.html"]
    assert extractor.next_page(listing) == NextPage(f"{BASE}/n172/n1/n2/index_2.html")
    article = page("/n172/n1/n2/c101/content.html", """<HTML><HEAD><TITLE>海创新能源项目在崂山区签约-青岛政务网</TITLE></HEAD>
    <BODY><TABLE><TR><TD class="titlestyle1"><H2>海创新能源项目在崂山区签约</H2></TD></TR>
    <TR><TD class="time">发布日期：2026年03月05日　　来源：青岛日报</TD></TR><TR><TD><DIV id="Zoom2">
    <P>　　近日，总投资32亿元的海创新能源项目在崂山区签约。
    <P>　　项目建成后年产值10亿元，带动就业800人。
    </DIV></TD></TR><TR><TD>【<A href="javascript:window.print()">打印本页</A>】</TD></TR></TABLE></BODY></HTML>""")
    assert fields(article) == ("海创新能源项目在崂山区签约", date(2026, 3, 5), ARTICLE_TEXT, [])


def test_gbk_news_page_title_from_h1_not_the_site_title() -> None:
    markup = f"""<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312" />
    <title>海创新能源项目在崂山区签约_青岛新闻网</title></head><body>
    <div class="dqwz">您当前的位置 ：<a href="/">青岛新闻网</a> &gt;&gt; 正文</div>
    <h1>海创新能源项目在崂山区签约</h1>
    <div class="info"><span id="pubtime_baidu">2026-03-05 09:31:00</span> <span id="source_baidu">来源：青岛日报</span></div>
    <div id="endText">{BODY_HTML}</div><div id="editor_baidu">责任编辑：王晓</div></body></html>"""
    gbk = Page.from_bytes(f"{BASE}/qingdao/2026-03/05/content_101.htm", markup.encode("gbk"), "text/html")
    assert detect(gbk).name == "news"
    assert fields(gbk) == ("海创新能源项目在崂山区签约", date(2026, 3, 5), ARTICLE_TEXT, [])


PARK_LIST = """<html><head><title>招商动态-即墨区产业园区招商网</title></head><body>
<header><nav><a href="/">首页</a><a href="/news/zsdt/">招商动态</a></nav><div>招商热线：400-606-8899</div></header>
<div class="news-list">
<div class="news-item"><div class="news-text"><h3><a href="/news/zsdt/show-1.html">【即墨区招商】青岛蓝谷海洋药物研发中心项目签约</a></h3>
<p class="summary">近日，青岛蓝谷海洋药物研发中心项目签约，总投资12亿元...</p><span>2026-03-05</span></div></div>
<div class="news-item"><div class="news-text"><h3><a href="/news/zsdt/show-2.html">【即墨区招商】汽车产业新城零部件项目开工</a></h3>
<p class="summary">汽车产业新城零部件项目开工...</p><span>2026-03-04</span></div></div>
</div>
<aside class="sidebar"><h3>热门园区</h3><ul><li><a href="/park/1.html">青岛蓝谷海洋经济发展区</a></li></ul>
<div class="tougao"><h3>投稿须知</h3><p>本站欢迎园区、企业投稿。</p></div></aside>
<div class="pagination"><span>1</span> <a href="/news/zsdt/list_2.html">2</a> <a class="next" href="/news/zsdt/list_2.html">下一页</a></div>
</body></html>"""


def test_park_portal_list_entries_with_summaries_and_next_page() -> None:
    listing = page("/news/zsdt/index.html", PARK_LIST)
    extractor = Extractor(detect(listing))
    assert extractor.name == "park"
    assert extractor.list_links(listing) == [f"{BASE}/news/zsdt/show-1.html", f"{BASE}/news/zsdt/show-2.html"]
    assert extractor.next_page(listing) == NextPage(f"{BASE}/news/zsdt/list_2.html")


def test_park_article_keeps_its_prefixed_title_and_drops_the_boilerplate() -> None:
    markup = f"""<html><head><title>【即墨区招商】海创新能源项目签约-即墨区产业园区招商网</title></head><body>
    <header><div class="hotline">招商热线：400-606-8899</div></header>
    <article><h1 class="article-title">【即墨区招商】海创新能源项目签约</h1>
    <div class="article-meta"><span>发布时间：2026-03-05</span><span>浏览：<em>301</em>次</span></div>
    <div class="article-content">{BODY_HTML}</div>
    <div class="share">分享到：<a>微信</a></div><div class="disclaimer">有想补充的信息？欢迎联系我们。</div></article>
    <aside><div class="tougao"><h3>投稿须知</h3><p>本站欢迎园区、企业投稿，来稿请注明出处及联系方式，一经采用不付稿酬。</p></div></aside>
    </body></html>"""
    assert fields(page("/news/zsdt/show-1.html", markup)) == (
        "【即墨区招商】海创新能源项目签约", date(2026, 3, 5), ARTICLE_TEXT, [],
    )


def test_generic_site_blog_style_list_older_link_and_article() -> None:
    listing = page("/", """<html><head><title>胶州湾科创走廊</title></head><body>
    <div id="top"><a href="/">胶州湾科创走廊首页</a> · <a href="/about.html">关于</a></div>
    <div id="posts"><div class="entry"><a href="/posts/2026/03/1.html">海创新能源项目在崂山区签约</a> <small>2026/03/05</small></div>
    <div class="entry"><a href="/posts/2026/03/2.html">胶州上合示范区物流项目开工</a> <small>2026/03/04</small></div></div>
    <div class="nav"><a href="/page/2/">更早的文章 »</a></div></body></html>""")
    extractor = Extractor(detect(listing))
    assert extractor.name == "generic"
    assert extractor.list_links(listing) == [f"{BASE}/posts/2026/03/1.html", f"{BASE}/posts/2026/03/2.html"]
    assert extractor.next_page(listing) == NextPage(f"{BASE}/page/2/")
    newer_only = page("/page/3/", listing.html.replace('<a href="/page/2/">更早的文章 »</a>', '<a href="/page/2/">« 较新的文章</a>'))
    assert extractor.next_page(newer_only) is None
    article = page("/posts/2026/03/1.html", f"""<html><head><title>海创新能源项目在崂山区签约 | 胶州湾科创走廊</title></head>
    <body><div id="top"><a href="/">胶州湾科创走廊</a></div><div id="post"><h2>海创新能源项目在崂山区签约</h2>
    <div class="byline">2026年03月05日 · 青岛日报</div><div class="body">{BODY_HTML}</div></div>
    <div id="bottom">胶州湾科创走廊 2026 · 鲁ICP备21034567号</div></body></html>""")
    assert fields(article) == ("海创新能源项目在崂山区签约", date(2026, 3, 5), ARTICLE_TEXT, [])


def test_config_selectors_override_the_detected_kind_field_by_field() -> None:
    article = page("/a/1.html", f"""<html><head><title>站点名称</title></head><body>
    <div class="headline">海创新能源项目在崂山区签约</div><span class="when">2026年3月5日</span>
    <div class="text">{BODY_HTML}</div><div class="other"><p>这是一段比正文更长的其他文字，用来干扰正文的自动识别，它不应当成为正文的一部分内容。</p></div>
    </body></html>""")
    chosen = Selectors(title="div.headline", date="//span[@class='when']", body="div.text")
    assert fields(article, chosen) == ("海创新能源项目在崂山区签约", date(2026, 3, 5), ARTICLE_TEXT, [])
    listing = page("/list.html", '<body><div class="l"><a href="/a/1.html">短</a></div><a href="/x.html">其他很长的链接标题文字</a></body>')
    assert Extractor(detect(listing), Selectors(list_links="div.l a", next_page="//a[@href='/x.html']")).list_links(
        listing
    ) == [f"{BASE}/a/1.html"]


def test_generic_list_skips_navigation_with_long_labels_but_keeps_a_headline_list() -> None:
    listing = page("/news/", """<html><body>
    <div class="topnav"><a href="/a/">青岛市人民政府门户网站</a><a href="/b/">政务公开信息平台入口</a><a href="/c/">互动交流在线服务平台</a></div>
    <div class="headline-list"><p><a href="/news/1.html">海创新能源项目在崂山区签约</a></p><p><a href="/news/2.html">胶州上合示范区物流项目开工</a></p></div>
    <div class="site-footer"><a href="/x/">网站地图与无障碍浏览说明</a><a href="/y/">联系我们与投诉建议渠道</a><a href="/z/">鲁ICP备05001234号</a></div>
    </body></html>""")
    assert Extractor(detect(listing)).list_links(listing) == [f"{BASE}/news/1.html", f"{BASE}/news/2.html"]


NOTICE_HTML = ("<div><h3>投稿须知</h3><div>本网站所刊登的各种信息和专题资料，均为本网版权所有，未经授权，禁止下载使用。"
               "凡注明来源的作品，均转载自其它媒体，转载目的在于传递更多信息，并不代表本网赞同其观点和对其真实性负责。"
               "如因作品内容、版权和其它问题需要同本网联系的，请在30日内进行。</div></div>")


def test_generic_article_written_in_divs_with_a_hidden_link_list_and_a_disclaimer() -> None:
    paragraphs = "".join(f"<div><div>{line}</div></div>" for line in ARTICLE_TEXT.split("\n"))
    hidden = "".join(f'<li style="display:none">http://www.example{i}.gov.cn/</li><li><a href="/l/{i}">链接{i}</a></li>'
                     for i in range(40))
    article = page("/a/2026/1.html", f"""<html><head><title>海创新能源项目在崂山区签约 - 某某网</title></head><body>
    <div><div><div>海创新能源项目在崂山区签约</div><div>2026-03-05 10:20</div></div>
    <div>{paragraphs}<div>声明：本文仅代表作者观点，不代表本站立场，文章内容仅供参考，不构成投资建议，转载请注明出处并保留原文链接。</div></div></div>
    <ul>{hidden}</ul></body></html>""")
    assert fields(article) == ("海创新能源项目在崂山区签约", date(2026, 3, 5), ARTICLE_TEXT, [])


def test_a_one_paragraph_article_right_under_its_headline_beats_a_longer_notice_elsewhere() -> None:
    one = ARTICLE_TEXT.split("\n")[0]
    article = page("/a/2026/2.html", f"""<html><head><title>海创新能源项目在崂山区签约_某某网</title></head><body>
    <div class="top"><div class="box"><div class="head"><h1>海创新能源项目在崂山区签约</h1></div></div></div>
    <div class="main"><div class="info">2026-03-05 来源：某某网</div><div class="text">{one}</div></div>
    <div class="side">{NOTICE_HTML}</div></body></html>""")
    assert fields(article) == ("海创新能源项目在崂山区签约", date(2026, 3, 5), one, [])


def test_a_title_naming_only_the_site_gives_way_to_the_heading_over_the_text() -> None:
    article = page("/art/2026/3/5/art_1_1.html", f"""<html><head><title>青岛市某某区人民政府门户网站</title></head><body>
    <h1><a href="/">青岛市某某区人民政府门户网站</a></h1><div class="nav"><a href="/">首页</a></div>
    <div class="detail"><div class="head"><h2>海创新能源项目在崂山区签约</h2><h3>总投资32亿元，年产值10亿元</h3></div>
    <div class="info"><span>发布时间：2026-03-05</span><span style="display:none">3573</span><span>分享到：</span></div>
    <div class="content">{BODY_HTML}</div></div></body></html>""")
    assert fields(article) == ("海创新能源项目在崂山区签约", date(2026, 3, 5), ARTICLE_TEXT, [])


def test_a_byline_without_the_year_takes_its_year_from_the_page_not_another_day() -> None:
    markup = f"""<html><head><title>海创新能源项目在崂山区签约_某某号</title></head><body>
    <h2>海创新能源项目在崂山区签约</h2><div class="source"><span>发布时间：12-30</span><span>22:46</span></div>
    <div class="content">{BODY_HTML}</div>
    <script>var page = {{"time": "%s"}};</script></body></html>"""
    later = page("/s?id=1", markup % "2026-01-02 08:00:00")  # the page's own stamp, days later, in the next year
    assert fields(later)[1] == date(2025, 12, 30)


def test_an_article_inside_a_form_is_read_like_any_block() -> None:
    # ASP.NET pages wrap the whole page in a <form>; some CMSs wrap only the article text in one
    for markup in (f"<form id='form1'><h1>海创新能源项目在崂山区签约</h1><div>发布时间：2026-03-05</div><div>{BODY_HTML}</div>"
                   "<div class='foot'>地址：某某路1号 电话：0532-80000000</div></form>",
                   f"<table><tr><td>海创新能源项目在崂山区签约</td></tr><tr><td>发布时间：2026-03-05</td></tr><tr><td>"
                   f"<form name='content'>{BODY_HTML}</form></td></tr><tr><td>地址：某某路1号 电话：0532-80000000</td></tr></table>"):
        article = page("/info/1.htm", f"<html><head><title>海创新能源项目在崂山区签约-某某网</title></head><body>{markup}</body></html>")
        assert fields(article) == ("海创新能源项目在崂山区签约", date(2026, 3, 5), ARTICLE_TEXT, [])


def test_the_headline_is_the_heading_the_title_names_not_a_news_site_logo() -> None:
    article = page("/qingdao/2026-03/05/content_101.htm", f"""<html><head><title>海创新能源项目在崂山区签约_新闻中心_某某网</title></head><body>
    <h1 class="logo"><a href="/"><span>新闻中心</span></a></h1><h1 class="main">海创新能源项目在崂山区签约</h1>
    <div class="info"><span id="pubtime_baidu">2026-03-05 09:31:00</span></div><div id="endText">{BODY_HTML}</div></body></html>""")
    assert detect(article).name == "news"
    assert fields(article)[0] == "海创新能源项目在崂山区签约"


def test_comments_after_a_short_article_are_not_its_body() -> None:
    comment = "网友甲：" + "这样的项目越多越好，希望早日建成投产，带动更多年轻人回乡就业，家门口就能找到好工作。" * 3
    comments = "".join(f'<li class="item"><div class="txt">{comment}{i}</div><span>2026-03-0{i}</span></li>' for i in range(1, 4))
    article = page("/a/2026/3.html", f"""<html><head><title>海创新能源项目在崂山区签约_某某网</title></head><body>
    <div class="main"><h3>海创新能源项目在崂山区签约</h3><div class="info">2026-03-05 来源：某某网</div>
    <div class="content">{BODY_HTML}</div><ul class="list">{comments}</ul></div></body></html>""")
    assert fields(article) == ("海创新能源项目在崂山区签约", date(2026, 3, 5), ARTICLE_TEXT, [])


def test_a_title_naming_the_column_and_site_gives_way_to_a_minor_heading_over_the_text() -> None:
    article = page("/content.aspx?id=1006", f"""<html><head><title>新闻动态--某某市投资促进中心官网</title></head><body>
    <div class="crumb"><h3>首页 - 新闻动态</h3></div>
    <div class="left"><h5>海创新能源项目在崂山区签约</h5><div class="ly"><b>发布时间：2026-03-05</b></div>
    <div class="detail">{BODY_HTML}</div></div>
    <div class="right"><h4>联系我们</h4><div><h5>某某市投资促进中心</h5><p>地址：某某路1号</p></div></div></body></html>""")
    assert fields(article) == ("海创新能源项目在崂山区签约", date(2026, 3, 5), ARTICLE_TEXT, [])
