"""The 政府信息公开 (xxgk) metadata table of a government page: 索引号, 发布机构, 文号, 成文日期 ... as label -> value.

Portals lay it out as a table of label cells each followed by its value cell (`<th>文号：</th><td>…</td>`,
or `<td>` for both); a label is recognised by its words, not by a site's class names.
"""

from __future__ import annotations

import re
from itertools import pairwise

from lxml import etree

from crawler.extract.page import Page

LABELS = ("索引号", "发布机构", "发文机关", "发文单位", "文号", "发文字号", "成文日期", "发布日期", "主题分类", "名称",
          "有效性", "公开方式")
_LABEL = re.compile(rf"^\s*({'|'.join(LABELS)})\s*[:：]?\s*$")
_SPACE = re.compile(r"\s+")


def _text(cell: etree._Element) -> str:
    return _SPACE.sub(" ", "".join(cell.itertext())).strip()


def metadata(page: Page) -> dict[str, str]:
    """The page's xxgk fields, empty when it has no such table; the first value of a label wins."""
    found: dict[str, str] = {}
    for row in page.sel.xpath("//table//tr"):
        cells = [c for c in row.root if isinstance(c.tag, str) and c.tag in ("th", "td")]
        for label_cell, value_cell in pairwise(cells):
            match = _LABEL.match(_text(label_cell))
            value = _text(value_cell)
            if match and value and not _LABEL.match(value):
                found.setdefault(match.group(1), value)
    return found if len(found) >= 2 else {}  # one stray "名称" cell is not a metadata table
