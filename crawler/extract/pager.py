"""The next list page: a 下一页/next link, a numbered pager (1 2 3 … 尾页), TRS createPageHTML, or ?page=N."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from lxml import etree

from crawler.extract.links import absolute, same_page
from crawler.extract.page import Page
from crawler.extract.text import element_lines

_NEXT_TEXT = re.compile(r"下一页|下页|后一?页|更早|较早|以前的|older|next|›|»|^\s*>\s*$", re.IGNORECASE)
_PREVIOUS_TEXT = re.compile(r"上一页|上页|前一?页|较新|更新的|newer|prev|‹|«", re.IGNORECASE)
_NUMBER = re.compile(r"^\s*[\[【(（]?\s*(\d{1,4})\s*[\]】)）]?\s*$")
_CREATE_PAGE = re.compile(r"createPageHTML\s*\(([^)]*)\)")
_ARG = re.compile(r"""(-?\d+)|["']([^"']*)["']""")
_PAGE_PARAM = re.compile(r"^(?:page|p|pn|pageno|page_no|pagenum|pageindex|page_index|curpage|currentpage|pageid)$",
                         re.IGNORECASE)
_CURRENT_CLASS = re.compile(r"\b(?:cur|current|active|on|selected|sel|now)\b", re.IGNORECASE)


def labelled_next(page: Page) -> str | None:
    """The link labelled 下一页 / 更早的文章 / next, or rel=next."""
    for anchor in page.sel.xpath("//a[@href]"):
        label = " ".join(element_lines(anchor.root)) or anchor.attrib.get("title", "")
        forward = _NEXT_TEXT.search(label) and not _PREVIOUS_TEXT.search(label)
        if "next" in (anchor.attrib.get("rel") or "").lower().split() or forward:
            url = absolute(page.url, anchor.attrib.get("href"))
            if url and not same_page(url, page.url):
                return url
    return None


def _number(text: str) -> int | None:
    match = _NUMBER.match(text or "")
    return int(match.group(1)) if match else None


def _pager_tokens(container: etree._Element, page: Page) -> list[tuple[int, str | None]]:
    """(number, link or None) for each page number the pager shows, in order; None marks the page shown."""
    tokens: list[tuple[int, str | None]] = []
    for element in container.iter():
        if not isinstance(element.tag, str) or len(element):
            continue
        number = _number(" ".join(element_lines(element)))
        if number is None:
            continue
        link = element if element.tag == "a" else next((a for a in element.iterancestors("a")), None)
        url = absolute(page.url, link.get("href")) if link is not None else None
        current = url is None or same_page(url, page.url) or bool(_CURRENT_CLASS.search(
            f"{element.get('class', '')} {link.get('class', '') if link is not None else ''}"))
        tokens.append((number, None if current else url))
    return tokens


def _numbers_shown(node: etree._Element) -> int:
    leaves = (e for e in node.iter() if isinstance(e.tag, str) and not len(e))
    return sum(1 for leaf in leaves if _number(" ".join(element_lines(leaf))) is not None)


def numbered_next(page: Page) -> str | None:
    """The link to page n+1 in a numbered pager whose page n is the one shown (not a link, or marked current)."""
    containers: dict[etree._Element, None] = {}
    for anchor in page.sel.xpath("//a[@href]"):
        if _number(" ".join(element_lines(anchor.root))) is None:
            continue
        node = anchor.root.getparent()
        # the pager is the nearest block above the number that shows two or more page numbers
        while node is not None and _numbers_shown(node) < 2:
            node = node.getparent()
        if node is not None:
            containers.setdefault(node, None)
    for container in containers:
        tokens = _pager_tokens(container, page)
        shown = [number for number, url in tokens if url is None]
        linked = {number: url for number, url in tokens if url is not None}
        # the page shown is a number beside the linked ones (not the 12 of "共12页")
        shown = [number for number in shown if number + 1 in linked or number - 1 in linked]
        if shown:
            following = linked.get(shown[0] + 1)
        else:  # a first page often shows no current mark: 1 is not linked, 2 is
            following = linked.get(2) if 1 not in linked else None
        if following and not same_page(following, page.url):
            return following
    return None


def create_page_html(html: str) -> tuple[int, int, str, str] | None:
    """(page count, current page from 0, file stem, extension) of TRS's createPageHTML call."""
    for call in _CREATE_PAGE.finditer(html):  # skip the function's own definition: its arguments are names
        numbers: list[int] = []
        strings: list[str] = []
        for number, string in _ARG.findall(call.group(1)):
            if number:
                numbers.append(int(number))
            else:
                strings.append(string)
        if len(numbers) >= 2 and len(strings) >= 2:
            # Old form: createPageHTML(count, current, "index", "shtml"); the new form puts a div id
            # first and the record total last: createPageHTML("page_div", count, current, "index", "shtml", total).
            return numbers[0], numbers[1], strings[-2], strings[-1]
    return None


def trs_next(page: Page) -> str | None:
    found = create_page_html(page.html)
    if found is None:
        return None
    count, current, stem, ext = found
    if current + 1 >= count:
        return None
    return urljoin(page.url, f"{stem}_{current + 1}.{ext}")


def page_param_next(page: Page) -> str | None:
    """The page's URL with its page parameter (page=, p=, pageNo=...) one higher, when the page's own links
    page by that parameter (a pager whose next number is hidden behind "…"); never a blind guess."""
    parts = urlsplit(page.url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    for i, (key, value) in enumerate(query):
        if _PAGE_PARAM.match(key) and value.isdigit() and _pages_by(page, parts.path, key, int(value)):
            query[i] = (key, str(int(value) + 1))
            return urlunsplit(parts._replace(query=urlencode(query)))
    return None


def _pages_by(page: Page, path: str, key: str, current: int) -> bool:
    """Whether the page links to a page beyond `current` of the same path by the parameter `key`."""
    for href in page.sel.xpath("//a/@href").getall():
        url = absolute(page.url, href)
        if not url or urlsplit(url).path != path:
            continue
        value = dict(parse_qsl(urlsplit(url).query)).get(key, "")
        if value.isdigit() and int(value) > current:
            return True
    return False


def next_url(page: Page) -> str | None:
    """The next list page by the first rule that applies: TRS createPageHTML (it states the page count),
    a labelled next link, a numbered pager, the URL's page parameter."""
    if create_page_html(page.html) is not None:
        return trs_next(page)
    return labelled_next(page) or numbered_next(page) or page_param_next(page)
