"""Districts of Qingdao named in an article, as canonical names (DOMAIN.md aliases)."""

from __future__ import annotations

import re
from collections import Counter

from portalwatch.classify.summary import lead_sentence

CITY = "青岛市"

# Canonical name -> the ways articles write it (places inside a district count for the district).
ALIASES: dict[str, tuple[str, ...]] = {
    "市南区": ("市南区",),
    "市北区": ("市北区",),
    "李沧区": ("李沧区", "李沧"),
    "崂山区": ("崂山区", "崂山"),
    "城阳区": ("城阳区", "城阳"),
    "西海岸新区": (
        "青岛西海岸新区", "西海岸新区", "黄岛区", "黄岛", "西海岸", "中德生态园", "前湾综保区",
        "前湾保税港区", "董家口",
    ),
    "即墨区": ("即墨区", "即墨市", "即墨", "青岛蓝谷", "蓝谷", "汽车产业新城", "国际陆港"),
    "胶州市": (
        "胶州市", "胶州", "上合示范区", "中国-上海合作组织地方经贸合作示范区",
        "上海合作组织地方经贸合作示范区", "上合组织地方经贸合作示范区", "胶东国际机场", "临空经济示范区",
    ),
    "平度市": ("平度市", "平度"),
    "莱西市": ("莱西市", "莱西"),
    "高新区": ("青岛高新技术产业开发区", "青岛高新区", "高新区"),
}

_CANONICAL = {alias: name for name, aliases in ALIASES.items() for alias in aliases}
_ALIAS_RE = re.compile("|".join(re.escape(a) for a in sorted(_CANONICAL, key=len, reverse=True)))
# Qingdao streets and schools named after districts: 黄岛路, 即墨路, 平度路, 李沧路小学.
_STREET_AFTER = re.compile(r"(?:湾|[一二三四五六七八九]?路|[东西南北中]?路|支路|大道|街)")
# Another place's high-tech zone: 蓝谷高新区, 胶州高新区.
_OTHER_ZONE_BEFORE = re.compile(r"(?:海洋|蓝谷|胶州|平度|莱西|即墨|济南|烟台|潍坊|威海|日照|淄博|临沂|国家|省级)$")
_CITY_RE = re.compile(r"青岛市|全市|我市|青岛(?!西海岸|蓝谷|高新)")
# A title that says it is about the whole city. A bare 青岛 at the start is not enough: 青岛 followed by a
# name is often a place inside a district, and the text says which; 青岛 followed by a verb is the city.
_CITY_TITLE_RE = re.compile(
    r"^(?:青岛市|全市|我市|市政府|市委)|青岛市|各区市|各区、市|全市各区|^青岛(?=[出发举召印推])"
)
# "各区、市人民政府，青岛西海岸新区管委：" heads city documents: the addressees name no district of interest.
_ADDRESSEES = re.compile(r"各区、?市人民政府[^\n。]*|^各[^\n。]{0,80}[:：]\s*$", re.MULTILINE)
# Districts named together: "西海岸新区、崂山区和城阳区".
_JOINER = re.compile(r"[、,，]?(?:和|与|及|以及)?")
# "全区/我区/本区" and a bare "新区" mean the portal's own district.
_OWN_DISTRICT = re.compile(r"全区|我区|本区|该区")
# a 新区 that stands for the district starts a phrase ("新区管委", "，新区将…", "我新区"); one after other words
# is part of a longer name or a description ("西海岸新区", "…的现代化新区")
_BARE_NEW_AREA = re.compile(r"(?:^|(?<=[\s,，。；;、:：“”\"（(【》]|[我本该]))新区", re.MULTILINE)
_TITLE_WEIGHT = 10
_LEAD_WEIGHT = 2
_SHARE = 0.5
_LEAD_CHARS = 120


def mentions(text: str) -> list[tuple[str, int]]:
    """(canonical district, position) of every district alias in `text`."""
    found = []
    for match in _ALIAS_RE.finditer(text):
        alias = match.group(0)
        if _STREET_AFTER.match(text, match.end()):
            continue
        if alias == "高新区" and _OTHER_ZONE_BEFORE.search(text[max(0, match.start() - 4):match.start()]):
            continue
        found.append((_CANONICAL[alias], match.start()))
    return found


def _counts(title: str, text: str, hint: str | None) -> Counter[str]:
    counts: Counter[str] = Counter()
    for name, _ in mentions(title):
        counts[name] += _TITLE_WEIGHT
    for name, pos in mentions(text):
        counts[name] += _LEAD_WEIGHT if pos < _LEAD_CHARS else 1
    if hint in ALIASES:
        own = len(_OWN_DISTRICT.findall(text))
        if hint == "西海岸新区":
            own += len(_BARE_NEW_AREA.findall(title + "\n" + text))
        counts[hint] += own
    return counts


def _is_city_title(title: str) -> bool:
    return bool(_CITY_TITLE_RE.search(title)) and not mentions(title)


def _drop_zone_inside_chengyang(names: list[str], counts: Counter[str]) -> list[str]:
    """高新区 lies in 城阳区: named less often than 城阳区 it is a passing mention, not a subject."""
    if "高新区" in names and "城阳区" in names and counts["高新区"] < counts["城阳区"]:
        return [name for name in names if name != "高新区"]
    return names


def _first_named(text: str) -> list[str]:
    """The first district `text` names, with the districts listed together with it."""
    found = mentions(text)
    if not found:
        return []
    group, end = [found[0][0]], found[0][1]
    for name, pos in found[1:]:
        gap = text[end:pos]
        alias_end = _ALIAS_RE.match(text, end)
        gap = text[alias_end.end():pos] if alias_end else gap
        if not _JOINER.fullmatch(gap):
            break
        if name not in group:
            group.append(name)
        end = pos
    return group


def extract_districts(title: str, text: str, hint: str | None = None) -> list[str]:
    """Districts the article is about; `hint` (the portal's district) only when the text names none.

    The title's districts lead (most mentioned first). A title naming none defers to the lead sentence: the
    first place it names is where the project or policy is. A city-level title (青岛市..., 全市...,
    各区市...) keeps 青岛市 unless at least two districts are each named at least twice: then it is a
    city-wide article covering all of those districts.
    """
    text = _ADDRESSEES.sub("", text)
    if _is_city_title(title):
        named = Counter(name for name, _ in mentions(text))
        covered = _drop_zone_inside_chengyang([n for n, k in named.most_common() if k >= 2], named)
        return covered if len(covered) >= 2 else [CITY]
    if not mentions(title):
        lead = _first_named(lead_sentence(text))
        if lead:
            return lead
    counts = _counts(title, text, hint)
    if counts:
        top = counts.most_common(1)[0][1]
        return _drop_zone_inside_chengyang([n for n, k in counts.most_common() if k >= top * _SHARE], counts)
    if hint in ALIASES:
        return [hint]
    if hint == CITY or _CITY_RE.search(title + text):
        return [CITY]
    return []
