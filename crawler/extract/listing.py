"""The article links of a list page, found by the page's structure rather than by class-name words.

A list is a run of repeated blocks of the same markup, each holding a title-like link (and often a
date). Links are grouped by the tag-and-class path from the link up to the document; the best group
(most titles, longest titles, dated entries) is the main list. Entries of the same item template in a
sibling container (pinned items above a forum list, the tables of a ranking page) join it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from lxml import etree

from crawler.extract import dates
from crawler.extract.links import absolute, unique
from crawler.extract.page import Page
from crawler.extract.text import element_lines

MIN_TITLE = 6  # characters: article links carry a title; navigation links are short
_SEMANTIC_FURNITURE = frozenset({"nav", "header", "footer", "aside", "menu"})
_WORD = re.compile(r"[^\s]+")
_VOLATILE = re.compile(r"\d|^(?:on|active|current|cur|sel|selected|first|last|odd|even|hover|show|hide)$", re.I)
_INDEX_NAME = re.compile(r"^(?:$|index|default|list)", re.I)
_DIGIT = re.compile(r"\d")
_TITLE_WEIGHT_CAP = 30  # a title's weight grows with its length up to this many characters
# A time stamp, maybe after a short label (最后发表：5 小时前, 昨天 23:52, 2026-3-5 09:41): a last-post link
_NO_TITLE = re.compile(
    r"^(?:[^:：]{1,6}[:：])?(?:[\d\s:/.\-年月日时分秒]|前天|昨天|今天|刚刚|半|小时|分钟|天|周|个月|前)*$")


Path = tuple[str, ...]


def _node_key(node: etree._Element) -> str:
    """Tag and the stable class words of one element (numbered and state classes vary inside one list)."""
    words = sorted(w for w in _WORD.findall(node.get("class", "")) if not _VOLATILE.search(w))
    return f"{node.tag}.{'.'.join(words)}"


def _path(anchor: etree._Element) -> Path:
    return tuple(_node_key(node) for node in (anchor, *anchor.iterancestors()))


def in_semantic_furniture(anchor: etree._Element) -> bool:
    return any(node.tag in _SEMANTIC_FURNITURE for node in anchor.iterancestors())


def _anchor_title(anchor: etree._Element) -> str:
    text = " ".join(element_lines(anchor))
    return text or (anchor.get("title") or "").strip()


@dataclass
class _Group:
    """Links sharing one markup path."""

    path: Path
    anchors: list[etree._Element] = field(default_factory=list)
    urls: list[str] = field(default_factory=list)
    titles: list[str] = field(default_factory=list)

    def record_level(self) -> int:
        """How many levels above the link the repeated entry element sits (0: the links themselves repeat)."""
        if len(self.anchors) < 2:
            return 0
        chains = [[a, *a.iterancestors()] for a in self.anchors]
        depth = min(len(chain) for chain in chains)
        for level in range(depth):
            if len({id(chain[level]) for chain in chains}) < len(chains):
                return max(level - 1, 0)
        return depth - 1

    def template(self, level: int) -> Path:
        """The item template: the path from the link up to the entry element (that one by tag only)."""
        return (*self.path[:level], self.path[level].split(".", 1)[0])

    def score(self, dated: int, known_shape: re.Pattern[str] | None) -> float:
        """Title weight, raised by the share of dated entries, of article-shaped URLs and of URLs in the
        portal kind's known article form."""
        titles = dict(zip(self.urls, self.titles, strict=True))
        weight = sum(min(len(title), _TITLE_WEIGHT_CAP) for title in titles.values())
        shaped = sum(1 for url in titles if article_shaped(url))
        known = sum(1 for url in titles if known_shape.search(url)) if known_shape else 0
        return weight * (1 + dated / len(titles)) * (1 + shaped / len(titles)) * (1 + known / len(titles))


def article_shaped(url: str) -> bool:
    """A URL that names one document (a numbered file or id) rather than a section (a folder or index page)."""
    parts = urlsplit(url)
    name = parts.path.rsplit("/", 1)[-1]
    if _INDEX_NAME.match(name):
        return bool(_DIGIT.search(parts.query))
    return bool(_DIGIT.search(parts.path) or _DIGIT.search(parts.query))


@dataclass
class _Link:
    anchor: etree._Element
    url: str
    title: str
    path: Path


def _links(page: Page, anchors: Iterable[etree._Element]) -> list[_Link]:
    """Every resolvable link outside the page's semantic furniture, with its title and markup path."""
    found: list[_Link] = []
    for anchor in anchors:
        url = absolute(page.url, anchor.get("href"))
        if not url or url == page.url or in_semantic_furniture(anchor):
            continue
        title = _anchor_title(anchor)
        if title:
            found.append(_Link(anchor, url, title, _path(anchor)))
    return found


def _groups(links: list[_Link], min_title: int = MIN_TITLE) -> dict[Path, _Group]:
    groups: dict[Path, _Group] = {}
    for link in links:
        if len(link.title) < min_title or _NO_TITLE.match(link.title):
            continue
        group = groups.setdefault(link.path, _Group(link.path))
        group.anchors.append(link.anchor)
        group.urls.append(link.url)
        group.titles.append(link.title)
    return groups


def _dated_entries(group: _Group) -> int:
    """Entries whose block shows a date beside the link."""
    level = group.record_level()
    count = 0
    for anchor in group.anchors:
        entry = _entry(anchor, level)
        if dates.find_date(" ".join(element_lines(entry))) or dates.short_date(" ".join(element_lines(entry))):
            count += 1
    return count


def _alike(one: Path, other: Path) -> bool:
    """Same tags level by level, and at each level one element's classes contain the other's (a pinned or
    highlighted entry adds a class word or two)."""
    if len(one) != len(other):
        return False
    for a, b in zip(one, other, strict=True):
        tag_a, _, words_a = a.partition(".")
        tag_b, _, words_b = b.partition(".")
        set_a, set_b = set(filter(None, words_a.split("."))), set(filter(None, words_b.split(".")))
        if tag_a != tag_b or not (set_a <= set_b or set_b <= set_a):
            return False
    return True


def main_list(page: Page, known_shape: re.Pattern[str] | None = None) -> list[str]:
    """The links of the page's main list, in page order (attachments included: on a policy column they are
    the documents). `known_shape` is the article URL form of the portal's software, when it has one."""
    links = _links(page, (a.root for a in page.sel.xpath("//body//a[@href]")))
    groups = _groups(links)
    if not groups:
        return []
    candidates = [g for g in groups.values() if len(set(g.urls)) >= 2] or list(groups.values())
    best = max(candidates, key=lambda g: g.score(_dated_entries(g), known_shape))
    level = best.record_level()
    template = best.template(level)
    members = {id(a) for a in best.anchors}
    if any(key.partition(".")[2] for key in template):  # a template of bare tags (li > a) is everywhere
        # every entry of the template counts, a short title ("🎁🎁", "通知") included; an entry that already
        # gave its link gives no second one (a "New" badge or a last-post link beside the title)
        taken = {_entry(a, level) for a in best.anchors}  # the elements themselves: their proxies stay alive
        lists = {entry.getparent() for entry in taken}
        hosts = {urlsplit(url).hostname for url in best.urls}
        for group in _groups(links, min_title=1).values():
            if len(group.path) <= level:
                continue
            alike = _alike(group.template(level), template)
            for anchor, url in zip(group.anchors, group.urls, strict=True):
                entry = _entry(anchor, level)
                # an entry of the same template, or a highlighted one among the list's own (the top 3 in red)
                # linking where the list links (not an advertisement placed in the list)
                beside = entry.getparent() in lists and urlsplit(url).hostname in hosts
                if id(anchor) not in members and entry not in taken and entry.tag == template[-1] and (alike or beside):
                    members.add(id(anchor))
                    taken.add(entry)
    return unique([link.url for link in links if id(link.anchor) in members])


def _entry(anchor: etree._Element, level: int) -> etree._Element:
    """The list entry holding a link: its ancestor `level` levels up."""
    entry = anchor
    for _ in range(level):
        parent = entry.getparent()
        entry = parent if parent is not None else entry
    return entry
