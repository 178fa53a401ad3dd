"""The publication date: printed under the headline, in the 政府信息公开 table, in meta tags, or as htmldate finds it.

Never a crawl date. A date printed on the page beats the meta ``PubDate`` (often the day a page was
re-published); a label such as 发布日期 beats a bare date; ``htmldate`` (original date) is the fallback
before the date an article URL carries.
"""

from __future__ import annotations

import re
from datetime import date

from htmldate import find_date as htmldate_find
from lxml import etree

from crawler.extract import dates
from crawler.extract.page import Page
from crawler.extract.text import element_lines
from crawler.extract.titles import Headline, meta, squash

_DATE_META = ("PubDate", "pubdate", "publishdate", "PublishDate", "article:published_time", "og:release_date",
              "firstpublishedtime", "datePublished", "publish_date", "weibo:article:create_at")
# Labels of the publication date, most specific first; 成文日期 is the date a document was written.
_LABELS = (
    re.compile(r"(?:发布|发稿|发表|公开|公布|印发)(?:时间|日期)\s*[:：]?\s*"),
    re.compile(r"成文(?:时间|日期)\s*[:：]?\s*"),
    re.compile(r"(?:日期|时间)\s*[:：]\s*"),
)
_NEAR_AFTER = 8  # lines under the headline where the date line sits
_NEAR_BEFORE = 2
_LABEL_REACH = 40  # characters after a label where its date is written


def _labelled(text: str, labels: tuple[re.Pattern[str], ...] = _LABELS) -> date | None:
    for label in labels:
        for match in label.finditer(text):
            found = dates.date_after_label(text[match.end():match.end() + _LABEL_REACH])
            if found:
                return found
    return None


def _headline_index(lines: list[str], head: Headline) -> int | None:
    """The line of the page that shows the headline (the first such line followed by a date)."""
    target = squash(head.text)
    if not target:
        return None
    if head.element is not None:
        shown = element_lines(head.element)
        target = squash(shown[0]) if shown else target
    hits = [i for i, line in enumerate(lines)
            if squash(line) == target or (len(target) >= 8 and target in squash(line))]
    for i in hits:
        if _near(lines, i):
            return i
    return hits[0] if hits else None


def _near(lines: list[str], index: int) -> date | None:
    """The date printed just under (or just above) the headline at `index`: labelled first, then bare."""
    after = "\n".join(lines[index + 1:index + 1 + _NEAR_AFTER])
    before = "\n".join(lines[max(0, index - _NEAR_BEFORE):index])
    return _labelled(after) or dates.find_date(after) or _labelled(before) or dates.find_date(before)


def _semantic(page: Page) -> date | None:
    """<time datetime>, itemprop=datePublished and the pubtime marks news systems print."""
    for node in page.sel.xpath("//*[@itemprop='datePublished'] | //time | //*[@id='pubtime_baidu']"
                               " | //*[contains(@class,'pubtime') or contains(@class,'pub_time')]"):
        found = dates.find_date(node.attrib.get("datetime", "") or node.attrib.get("content", "")
                                or " ".join(element_lines(node.root)))
        if found:
            return found
    return None


def _htmldate(page: Page) -> date | None:
    try:
        found = htmldate_find(page.html, url=page.url, original_date=True, outputformat="%Y-%m-%d")
    except (ValueError, TypeError):
        return None
    return date.fromisoformat(found) if found else None


def published(page: Page, head: Headline, body: list[etree._Element]) -> date | None:
    """The first of: the date under the headline, a labelled date on the page (the metadata table), meta tags,
    semantic date marks, htmldate, the article URL's date."""
    root = page.sel.xpath("//body")
    lines = element_lines(root[0].root) if root else []
    index = _headline_index(lines, head)
    if index is None and body:  # no headline shown: the lines just above the body stand in
        first = element_lines(body[0])
        index = lines.index(first[0]) - 1 if first and first[0] in lines else None
    found = _near(lines, index) if index is not None and index >= 0 else None
    shown = dates.byline_month_day("\n".join(lines[index + 1:index + 1 + _NEAR_AFTER])) if (
        found is None and index is not None and index >= 0) else None
    if found is None:
        found = _labelled("\n".join(lines), _LABELS[:2])
    for value in meta(page, _DATE_META) if found is None else ():
        found = dates.find_date(value)
        if found:
            break
    found = found or _semantic(page) or _htmldate(page) or dates.url_date(page.url)
    return _with_year_of(shown, found) if shown and found else found


def _with_year_of(shown: tuple[int, int], found: date) -> date | None:
    """The byline's month and day in the year of the date found elsewhere (a page is not older than its
    article: a later month-day is of the year before); None if that day does not exist."""
    month, day = shown
    if (found.month, found.day) == shown:
        return found
    for year in (found.year, found.year - 1):
        try:
            candidate = date(year, month, day)
        except ValueError:
            return None
        if candidate <= found:
            return candidate
    return None
