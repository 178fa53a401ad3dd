# ruff: noqa: E501  (HTML snippets keep the portals' long lines)
"""Discovery and extraction by page structure, on small pages in the shapes real portals use."""

from __future__ import annotations

from datetime import date

from crawler.extract import Extractor, NextPage, Page, detect
from crawler.extract.hosts import HostScope
from crawler.extract.pager import next_url

BASE = "http://www.example.gov.cn"


def page(path: str, markup: str) -> Page:
    return Page(url=BASE + path, html=markup)


def links(p: Page) -> list[str]:
    return Extractor(detect(p)).list_links(p)


def article(p: Page):
    return Extractor(detect(p)).article(p)


NAV = '<div class="menu_bar"><a href="/zwgk/">政务公开信息平台</a><a href="/hdjl/">互动交流在线平台</a><a href="/bsfw/">便民服务办事指南</a></div>'


def test_a_list_in_a_class_named_like_furniture_is_still_the_main_list() -> None:
    entries = "".join(
        f'<li><a href="/xwzx/2026{n:02d}/t202611{n:02d}_{n}.html">崂山区重点项目集中签约第{n}批项目落地</a><span>2026-11-{n:02d}</span></li>'
        for n in range(1, 6)
    )
    p = page("/xwzx/", f"<html><body>{NAV}<div class='newsdata_list fixed_bar_padding'><ul>{entries}</ul></div></body></html>")
    assert links(p) == [f"{BASE}/xwzx/2026{n:02d}/t202611{n:02d}_{n}.html" for n in range(1, 6)]


def test_pinned_entries_with_an_extra_class_and_short_titles_join_the_list() -> None:
    item = '<li class="item{extra}"><div class="t"><a class="tit" href="/p/{n}">{title}</a></div><span class="d">11-{n:02d}</span></li>'
    pinned = "".join(item.format(extra=" top", n=n, title="置顶：园区招商政策解读汇总") for n in (1, 2))
    listed = "".join(item.format(extra="", n=n, title=f"第{n}个项目在胶州开工建设") for n in range(3, 8))
    short = item.format(extra="", n=9, title="通知")
    p = page("/f", f"<html><body>{NAV}<ul class='pin'>{pinned}</ul><ul class='main'>{listed}{short}</ul></body></html>")
    assert links(p) == [f"{BASE}/p/{n}" for n in (1, 2, 3, 4, 5, 6, 7, 9)]


def test_an_entry_gives_one_link_not_its_new_badge_or_last_post_time() -> None:
    rows = "".join(
        f'<tr><th><a class="s xst" href="/thread-{n}-1-1.html">关于西海岸新区第{n}批重点项目的讨论</a>'
        f'<a href="/forum.php?mod=redirect&tid={n}&goto=lastpost">New</a></th>'
        f'<td class="by"><a href="/space-uid-{n}.html">网友{n}</a></td>'
        f'<td class="by"><em><a href="/forum.php?mod=redirect&tid={n}&goto=lastpost">{n} 小时前</a></em></td></tr>'
        for n in range(1, 6)
    )
    p = page("/forum-9-1.html", f"<html><body>{NAV}<table><tbody>{rows}</tbody></table></body></html>")
    assert links(p) == [f"{BASE}/thread-{n}-1-1.html" for n in range(1, 6)]


def test_highlighted_entries_of_a_ranking_join_it_and_an_advertisement_in_it_does_not() -> None:
    def row(n: int) -> str:
        colour = "red" if n <= 3 else "gray"
        return (f'<tr><td class="{colour}"><span>{n}</span><a href="/2026/11/{n:02d}/art_{n}.html">即墨区汽车产业新城第{n}个项目开工建设</a></td>'
                f'<td class="count">{1000 - n}</td></tr>')
    advert = '<tr><td class="ad"><a href="http://ads.example.com/click?id=9">限时优惠，点击领取投资理财大礼包</a></td><td></td></tr>'
    p = page("/rank/", f"<html><body>{NAV}<table><tbody>{''.join(row(n) for n in range(1, 5))}{advert}"
                       f"{''.join(row(n) for n in range(5, 9))}</tbody></table></body></html>")
    assert links(p) == [f"{BASE}/2026/11/{n:02d}/art_{n}.html" for n in range(1, 9)]


def test_a_list_of_policy_files_gives_the_files() -> None:
    rows = "".join(f'<tr><td><a href="/zcwj/P0{n}.pdf">关于印发第{n}号扶持政策实施细则的通知.pdf</a></td><td>2026-11-0{n}</td></tr>' for n in range(1, 5))
    p = page("/zcwj/", f"<html><body>{NAV}<table>{rows}</table></body></html>")
    assert links(p) == [f"{BASE}/zcwj/P0{n}.pdf" for n in range(1, 5)]


def test_articles_on_a_sibling_host_belong_to_the_portal_unless_the_config_narrows_it() -> None:
    scope = HostScope(["http://www.qingdao.gov.cn/n1/index.html"])
    assert "news.qingdao.gov.cn" in scope and "www.qingdao.gov.cn:8080" in scope
    assert "qingdao.gov.cn.evil.example" not in scope and "laoshan.gov.cn" not in scope
    narrowed = HostScope(["http://www.qingdao.gov.cn/"], ["www.qingdao.gov.cn"])
    assert "www.qingdao.gov.cn" in narrowed and "news.qingdao.gov.cn" not in narrowed
    loopback = HostScope(["http://127.0.0.1:8000/"])
    assert "127.0.0.1:8000" in loopback and "127.0.0.1:8001" not in loopback  # another port: another site


def _pager_page(path: str, pager: str) -> Page:
    return page(path, f"<html><body><ul><li><a href='/a/1.html'>崂山区重点项目集中签约</a></li></ul><div class='pages'>{pager}</div></body></html>")


def test_numbered_pagers_without_a_next_link_lead_to_the_next_number() -> None:
    second = _pager_page("/list_2.html", '共12页 <a href="/index.html">1</a> <span class="current">2</span> <a href="/list_3.html">3</a> <a href="/list_12.html">尾页</a>')
    assert next_url(second) == f"{BASE}/list_3.html"
    first = _pager_page("/index.html", '<a href="/index.html">1</a> <a href="/list_2.html">2</a> <a href="/list_3.html">3</a> … <a href="/list_9.html">尾页</a>')
    assert next_url(first) == f"{BASE}/list_2.html"
    last = _pager_page("/list_3.html", '<a href="/index.html">1</a> <a href="/list_2.html">2</a> <span>3</span>')
    assert next_url(last) is None


def test_page_parameters_labelled_links_and_create_page_html() -> None:
    hidden = '<a href="/list.jsp?cat=5&page=1">首页</a> … <a href="/list.jsp?cat=5&page=9">末页</a>'
    assert next_url(_pager_page("/list.jsp?cat=5&page=3", hidden)) == f"{BASE}/list.jsp?cat=5&page=4"
    assert next_url(_pager_page("/list.jsp?cat=5&page=9", hidden)) is None  # the last page: no guess
    assert next_url(_pager_page("/list.jsp?cat=5&page=3", "")) is None  # no pager by that parameter
    assert next_url(_pager_page("/a/", '<a href="/a/?p=2">下一页</a>')) == f"{BASE}/a/?p=2"
    trs = page("/xwzx/index_1.shtml", '<html><body><script>createPageHTML(5, 1, "index", "shtml");</script></body></html>')
    assert Extractor(detect(trs)).next_page(trs) == NextPage(f"{BASE}/xwzx/index_2.shtml")


def test_text_after_a_stray_html_end_tag_is_read_as_a_browser_reads_it() -> None:
    p = page("/a/1.html", """<html><head><title>胶州上合示范区物流项目开工_胶州市人民政府</title></head><body>
    <div class="top"><a href="/">首页</a></div></html>
    <h1>胶州上合示范区物流项目开工</h1><div class="info">发布日期：2026-11-05</div>
    <div class="content"><p>11月4日，上合示范区多式联运物流项目开工，总投资12亿元，建设集装箱堆场和冷链仓库。</p></div>
    </body></html>""")
    got = article(p)
    assert (got.title, got.published) == ("胶州上合示范区物流项目开工", date(2026, 11, 5))
    assert got.text == "11月4日，上合示范区多式联运物流项目开工，总投资12亿元，建设集装箱堆场和冷链仓库。"


def test_a_one_paragraph_article_beats_the_sidebar_notice_and_br_lines_are_paragraphs() -> None:
    notice = "<div class='side'><h3>投稿须知</h3><p>本站欢迎园区、企业投稿，来稿请注明出处及联系方式，一经采用不付稿酬，谢谢支持。</p></div>"
    p = page("/show-1.html", f"""<html><head><title>【即墨区招商】电驱系统项目开工-园区招商网</title></head><body>
    <div class="main"><h1>【即墨区招商】电驱系统项目开工</h1><div class="meta">2026-11-09 来源：投资促进中心</div>
    <div class="txt">11月8日，汽车产业新城电驱系统项目开工，项目总投资6.5亿元，达产后年产电驱总成20万套。</div></div>{notice}</body></html>""")
    assert article(p).text == "11月8日，汽车产业新城电驱系统项目开工，项目总投资6.5亿元，达产后年产电驱总成20万套。"
    lines = page("/show-2.html", """<html><head><title>蓝谷新材料项目签约</title></head><body><h1>蓝谷新材料项目签约</h1>
    <div>近日，青岛蓝谷与一家新材料企业签约，总投资20亿元。<br>项目建成后年产值30亿元，带动就业一千人。<br>蓝谷将提供全周期服务。</div>
    <div class="foot">主办单位：青岛蓝谷管理局 鲁ICP备05001234号</div></body></html>""")
    assert article(lines).text == "近日，青岛蓝谷与一家新材料企业签约，总投资20亿元。\n项目建成后年产值30亿元，带动就业一千人。\n蓝谷将提供全周期服务。"


def test_the_headline_agrees_with_the_title_and_keeps_its_own_dashes() -> None:
    p = page("/a.html", """<html><head><title>中德生态园—德国企业中心项目开工_园区动态_西海岸新区_青岛市人民政府</title>
    <meta property="og:title" content="青岛市人民政府"><meta name="ArticleTitle" content="&lt;b&gt;中德生态园—德国企业中心项目开工&lt;/b&gt;">
    </head><body><h2>园区动态</h2><h1>中德生态园—德国企业中心项目开工</h1><p>中德生态园德国企业中心项目开工，总投资3亿元，建成后将服务德资企业。</p></body></html>""")
    assert article(p).title == "中德生态园—德国企业中心项目开工"
    bare = page("/b.html", "<html><head><title>即墨区出台招商引资奖励办法 | 即墨区投资促进中心 | 即墨区人民政府</title></head><body><p>正文内容，正文内容。</p></body></html>")
    assert article(bare).title == "即墨区出台招商引资奖励办法"


def test_the_printed_publication_date_beats_the_meta_republish_date() -> None:
    p = page("/t.html", """<html><head><title>关于印发扶持政策的通知</title><meta name="PubDate" content="2026-11-20 09:00"></head><body>
    <table class="xxgk"><tr><td>索引号：</td><td>11370212/2026-00123</td><td>发布机构：</td><td>区政府办公室</td></tr>
    <tr><td>成文日期：</td><td>2026-10-28</td><td>发布日期：</td><td>2026-11-02</td></tr></table>
    <h1>关于印发扶持政策的通知</h1><div>各街道办事处：现将扶持政策印发给你们，请认真贯彻执行，抓好落实。</div></body></html>""")
    assert article(p).published == date(2026, 11, 2)


def test_a_headline_shown_outside_heading_elements_is_found_by_its_agreement_with_the_title() -> None:
    p = page("/c.html", """<html><head><title>平度市人民政府_平度市新河化工基地项目集中开工</title></head><body>
    <table><tr><td class="lm">工作动态</td></tr><tr><td><strong>平度市新河化工基地项目集中开工</strong></td></tr>
    <tr><td>发布日期：2026-11-12</td></tr><tr><td><p>11月11日，新河生态化工科技产业基地8个项目集中开工，总投资46亿元。</p></td></tr></table></body></html>""")
    got = article(p)
    assert (got.title, got.published) == ("平度市新河化工基地项目集中开工", date(2026, 11, 12))


def test_a_dash_inside_the_headline_is_kept_with_or_without_a_heading() -> None:
    shown = page("/d.html", """<html><head><title>中德生态园—德国企业中心项目开工_园区动态_西海岸新区</title></head>
    <body><h1>中德生态园—德国企业中心项目开工</h1><p>中德生态园德国企业中心项目开工，总投资3亿元，建成后将服务德资企业。</p></body></html>""")
    assert article(shown).title == "中德生态园—德国企业中心项目开工"
    bare = page("/e.html", """<html><head><title>中德生态园—德国企业中心项目开工_园区动态_西海岸新区</title></head>
    <body><p>中德生态园德国企业中心项目开工，总投资3亿元，建成后将服务德资企业。</p></body></html>""")
    assert article(bare).title == "中德生态园—德国企业中心项目开工"
