# ruff: noqa: E501  (HTML templates keep the portals' long lines)
"""A policy-documents column whose entries are PDF files, paged by numbers only (no 下一页 link).

Each PDF shows the document's title, its paragraphs and the dated signature line, in a CJK font
that readers supply (STSong-Light), as many government PDFs do: the text is extractable.
"""

from __future__ import annotations

from dataclasses import replace

from portalwatch.fixture_sites import markup as m
from portalwatch.fixture_sites.content import Edition
from portalwatch.fixture_sites.records import Article, Page, SiteBuild

SITE_NAME = "青岛市某区人民政府"
COLUMN = "/zwgk/zcwj/"
TRAP_COLUMN = "/zwgk/draft/"  # disallowed in robots.txt
PER_PAGE = 8
SIGNATURE = "区人民政府办公室"


def document(article: Article) -> Article:
    """The article as its file shows it: title line, paragraphs, then issuer and date (落款)."""
    signed = f"{SIGNATURE} {article.published.year}年{article.published.month}月{article.published.day}日"
    return replace(article, paragraphs=(article.title, *article.paragraphs, signed))


def pdf_bytes(lines: tuple[str, ...]) -> bytes:
    """A one-page PDF showing `lines` in the STSong-Light CID font (not embedded)."""
    content = ["BT", "/F1 12 Tf", "16 TL", "40 800 Td"]
    content += [f"<{line.encode('utf-16-be').hex()}> Tj T*" for line in lines]
    stream = "\n".join([*content, "ET"]).encode("ascii")
    objects = [
        b"<</Type/Catalog/Pages 2 0 R>>",
        b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
        b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Resources<</Font<</F1 5 0 R>>>>/Contents 4 0 R>>",
        b"<</Length %d>>stream\n" % len(stream) + stream + b"\nendstream",
        b"<</Type/Font/Subtype/Type0/BaseFont/STSong-Light/Encoding/UniGB-UCS2-H/DescendantFonts[6 0 R]>>",
        b"<</Type/Font/Subtype/CIDFontType0/BaseFont/STSong-Light"
        b"/CIDSystemInfo<</Registry(Adobe)/Ordering(GB1)/Supplement 2>>/FontDescriptor 7 0 R>>",
        b"<</Type/FontDescriptor/FontName/STSong-Light/Flags 6/FontBBox[-25 -254 1000 880]/ItalicAngle 0"
        b"/Ascent 880/Descent -120/CapHeight 880/StemV 93>>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer<</Size %d/Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def file_path(article: Article, column: str = COLUMN) -> str:
    return f"{column}{article.published:%Y%m}/P0{article.published:%Y%m%d}{article.id}.pdf"


def list_path(page: int) -> str:
    return f"{COLUMN}index.html" if page == 0 else f"{COLUMN}index_{page}.html"


def _list_page(entries: list[tuple[str, Article]], page: int, total: int) -> str:
    items = "\n".join(
        f'<tr><td class="bt"><a href="{path}" target="_blank" title="{m.attr(a.title)}">{m.text(a.title)}.pdf</a></td>'
        f"<td>{a.published:%Y-%m-%d}</td></tr>"
        for path, a in entries
    )
    numbers = " ".join(
        f'<span class="cur">{n + 1}</span>' if n == page else f'<a href="{list_path(n)}">{n + 1}</a>' for n in range(total)
    )
    return f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>政策文件_{SITE_NAME}</title></head><body>
<div class="top"><a href="/">首页</a> <a href="/zwgk/">政务公开</a> <a href="/hdjl/">互动交流</a></div>
<div class="main"><div class="lm">政策文件</div>
<table class="wj"><tr><th>文件名称</th><th>发布日期</th></tr>
{items}
</table>
<div class="fy">共{total}页 {numbers}</div></div>
<div class="foot">主办：{SITE_NAME}办公室 鲁ICP备05001234号</div>
</body></html>"""


def build(edition: Edition) -> SiteBuild:
    pages: dict[str, Page] = {}
    expected = [(file_path(a), document(a)) for a in edition.articles]
    for path, shown in expected:
        pages[path] = Page(body=pdf_bytes(shown.paragraphs), content_type="application/pdf",
                           modified=edition.modified[shown.id])
    trap_path = file_path(edition.trap, TRAP_COLUMN)
    pages[trap_path] = Page(body=pdf_bytes(document(edition.trap).paragraphs), content_type="application/pdf")
    entries = [*expected]
    entries.insert(2, (trap_path, edition.trap))
    chunks = m.paginate(entries, PER_PAGE)
    for n, chunk in enumerate(chunks):
        pages[list_path(n)] = m.html_page(_list_page(chunk, n, len(chunks)), m.newest(edition))
    pages["/robots.txt"] = m.robots(TRAP_COLUMN)
    return SiteBuild(pages=pages, expected=expected, start_paths=[list_path(0)])
