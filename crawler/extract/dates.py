"""Publication dates as Chinese portals write them: 2026-03-05, 2026/3/5, 2026年3月5日, 20260305 in URLs."""

from __future__ import annotations

import re
from datetime import date

# The day may run into a time shown right after it (two spans: 2019-09-07 and 09:30 read 2019-09-0709:30).
_DATE = re.compile(r"((?:19|20)\d{2})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2}?)(?:(?=\d{1,2}:\d{2})|(?!\d))")
_SHORT = re.compile(r"(?<![\d/-])(\d{1,2})\s*[-/月]\s*(\d{1,2})(?:日|(?![\d/-]))")
# A two-digit year, read only where a label says a date follows (发布时间：18-03-08): Chinese dates are
# written year first, and a bare 18-03-08 elsewhere may be a time or a code.
_TWO_DIGIT_YEAR = re.compile(
    r"\s*(\d{2})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2}?)(?:日|(?=\d{1,2}:\d{2})|(?![\d:]))")
_LABELLED = re.compile(r"(?:发布(?:时间|日期)|发文日期|日期|时间)\s*[:：]\s*")
_URL_DATES = (
    re.compile(r"/t((?:19|20)\d{2})(\d{2})(\d{2})_"),  # TRS: /202603/t20260305_123.shtml
    re.compile(r"/art/((?:19|20)\d{2})/(\d{1,2})/(\d{1,2})/"),  # Hanweb: /art/2026/3/5/art_1_2.html
)


def _make(year: str, month: str, day: str) -> date | None:
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        return None


def find_date(text: str) -> date | None:
    """The first valid date written in `text`."""
    for match in _DATE.finditer(text or ""):
        found = _make(*match.groups())
        if found:
            return found
    return None


def date_after_label(text: str) -> date | None:
    """The date written right after a date label: a full date anywhere in `text`, else one with a two-digit
    year (of this century) at its start."""
    found = find_date(text)
    if found:
        return found
    match = _TWO_DIGIT_YEAR.match(text or "")
    return _make("20" + match.group(1), match.group(2), match.group(3)) if match else None


def short_date(text: str) -> bool:
    """Whether `text` shows a month and day without the year (03-05, 3月5日), as list entries often do."""
    return any(1 <= int(m) <= 12 and 1 <= int(d) <= 31 for m, d in _SHORT.findall(text or ""))


_BYLINE_SHORT = re.compile(
    r"(?:(?:发布|发表|更新)?(?:时间|日期)\s*[:：]\s*(\d{1,2})\s*[-/月]\s*(\d{1,2}?)(?:日|(?=\s*\d{1,2}:\d{2})|(?![\d/-])))"
    r"|(?:(?<![\d/-])(\d{1,2})\s*[-/月]\s*(\d{1,2}?)日?\s*\d{1,2}:\d{2}(?!\d))")


def byline_month_day(text: str) -> tuple[int, int] | None:
    """Month and day of a date shown without its year in a byline: 发布时间：09-30, or 09-30 22:46."""
    for match in _BYLINE_SHORT.finditer(text or ""):
        month, day = (int(g) for g in match.groups() if g is not None)
        if 1 <= month <= 12 and 1 <= day <= 31:
            return month, day
    return None


def labelled_date(text: str) -> date | None:
    """The date after a label such as 发布时间： or 日期：, else None."""
    for label in _LABELLED.finditer(text or ""):
        found = date_after_label(text[label.end():label.end() + 30])
        if found:
            return found
    return None


def url_date(url: str) -> date | None:
    """The date a TRS or Hanweb article URL carries."""
    for pattern in _URL_DATES:
        match = pattern.search(url)
        if match:
            return _make(*match.groups())
    return None
