"""Decoding, text, dates and links as the portals write them (extractor building blocks)."""

from datetime import date

import pytest
from lxml import html

from crawler.extract import dates
from crawler.extract.links import absolute, is_article_candidate
from crawler.extract.page import Page, decode_html
from crawler.extract.text import body_text

GBK_PAGE = "<html><head><title>青岛新闻</title></head><body><p>崂山区招商引资项目签约</p></body></html>"


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (GBK_PAGE.encode("gbk"), "text/html; charset=utf-8"),  # GBK bytes sent as UTF-8 (wrong charset)
        (GBK_PAGE.encode("gbk"), "text/html"),  # no charset anywhere
        (GBK_PAGE.replace("<head>", '<head><meta charset="gb2312">').encode("gbk"), None),
        (GBK_PAGE.encode("utf-8"), "text/html; charset=gbk"),  # UTF-8 bytes declared GBK
        (b"\xef\xbb\xbf" + GBK_PAGE.encode("utf-8"), "text/html; charset=iso-8859-1"),
    ],
)
def test_pages_decode_whatever_charset_they_claim(body: bytes, content_type: str | None) -> None:
    assert "崂山区招商引资项目签约" in decode_html(body, content_type)


def _text(markup: str) -> str:
    return body_text([html.fragment_fromstring(markup, create_parent="div")])


def test_editor_markup_becomes_one_line_per_paragraph() -> None:
    markup = (
        '<p style="text-indent:2em"><span style="font-family:仿宋">　　近日，总投资32亿元的</span>'
        "<span><strong>海创项目在崂山区签约。</strong></span></p>\n"
        "<p>　　项目建成后年产值10亿元。</p><p><br/></p>"
        "<div>第三段<br>第四段</div><script>var x = 1;</script><style>p{}</style>"
    )
    assert _text(markup) == "近日，总投资32亿元的海创项目在崂山区签约。\n项目建成后年产值10亿元。\n第三段\n第四段"


def test_site_furniture_and_footer_are_dropped_but_a_long_line_is_kept() -> None:
    markup = (
        "<p>分享到：微信 微博</p><p>正文第一段。</p>"
        "<p>企业可拨打投资咨询热线0532-12345678了解详情，该热线工作日9时至17时受理项目落地、用地用能等咨询。</p>"
        "<p>【打印本页】【关闭窗口】</p><p>责任编辑：王晓</p><p>页脚之后的文字</p>"
    )
    assert _text(markup).split("\n") == [
        "正文第一段。",
        "企业可拨打投资咨询热线0532-12345678了解详情，该热线工作日9时至17时受理项目落地、用地用能等咨询。",
    ]


def test_full_width_punctuation_and_inner_spaces_survive() -> None:
    assert _text("<p>　　胶州市：上合示范区　项目（一期）签约，金额１０亿元。</p>") == (
        "胶州市：上合示范区　项目（一期）签约，金额１０亿元。"
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("发布时间：2026-03-05 10:20", date(2026, 3, 5)),
        ("发布日期：2026年3月5日", date(2026, 3, 5)),
        ("2026/11/16", date(2026, 11, 16)),
        ("2026-13-45 is not a date, 2026-02-28 is", date(2026, 2, 28)),
        ("no date here", None),
        ("2026-03-0510:20", date(2026, 3, 5)),  # two spans, date and time, with no space between them
    ],
)
def test_dates_in_the_ways_portals_write_them(text: str, expected: date | None) -> None:
    assert dates.find_date(text) == expected


def test_labelled_date_prefers_the_label_over_other_dates() -> None:
    assert dates.labelled_date("成文于 2026-01-02 ... 发布时间：2026-01-09") == date(2026, 1, 9)


def test_a_two_digit_year_is_read_after_a_date_label_only() -> None:
    assert dates.labelled_date("发布时间：26-03-05 10:20") == date(2026, 3, 5)
    assert dates.labelled_date("发布时间：26-03-0510:20") == date(2026, 3, 5)
    assert dates.find_date("编号 26-03-05") is None  # unlabelled, it may be a code or a time


def test_article_urls_carry_their_dates() -> None:
    assert dates.url_date("http://x.gov.cn/xwzx/202603/t20260305_123.shtml") == date(2026, 3, 5)
    assert dates.url_date("http://x.gov.cn/art/2026/3/5/art_1_2.html") == date(2026, 3, 5)


def test_links_resolve_and_only_portal_pages_are_articles() -> None:
    base = "http://127.0.0.1:8000/xwzx/qxyw/index.shtml"
    assert absolute(base, "../../zwgk/202603/t20260305_1.shtml") == "http://127.0.0.1:8000/zwgk/202603/t20260305_1.shtml"
    assert absolute(base, "javascript:void(0)") is None
    assert absolute(base, "mailto:zs@example.com") is None
    assert absolute(base, "#top") is None
    hosts = {"127.0.0.1:8000"}
    assert is_article_candidate("http://127.0.0.1:8000/a/t1_2.shtml", hosts)
    assert not is_article_candidate("http://127.0.0.1:8001/a/t1_2.shtml", hosts)  # another port: another site
    assert not is_article_candidate("http://127.0.0.1:8000/a/附件.pdf", hosts)
    assert not is_article_candidate("http://127.0.0.1:8000/a/file.DOCX", hosts)


def test_a_posted_list_page_remembers_its_form() -> None:
    page = Page.from_bytes("http://h/p.jsp?startrecord=16", b"<datastore/>", None, b"col=1&webname=%E9%9D%92")
    assert page.form == {"col": "1", "webname": "青"}


def test_a_line_break_in_the_source_is_a_space_not_a_paragraph() -> None:
    assert _text("<P>　　青岛蓝谷\n海洋科技项目开工\n<P>　　第二段") == "青岛蓝谷 海洋科技项目开工\n第二段"
