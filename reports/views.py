"""How digest facts read: amounts in 亿, one-line titles and summaries, districts grouped, items ranked."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from portalwatch.dedupe.numbers import number_changes
from reports import elide
from reports.collect import ArticleItem

CURRENCY_UNITS = {"CNY": "亿元", "USD": "亿美元", "EUR": "亿欧元", "JPY": "亿日元", "HKD": "亿港元", "GBP": "亿英镑"}
# Rough CNY rates, used only to rank projects by size when a digest must be cut; never shown.
RANK_RATES = {"CNY": 1.0, "USD": 7.1, "EUR": 7.7, "GBP": 9.0, "HKD": 0.9, "JPY": 0.048}
MULTI_DISTRICT = "跨区市"
NO_DISTRICT = "未注明区市"
DISTRICT_ORDER = (
    "青岛市", "市南区", "市北区", "李沧区", "崂山区", "城阳区", "西海岸新区", "即墨区", "胶州市", "平度市", "莱西市",
    "高新区",
)
_SPACE = re.compile(r"\s+")
_LABEL = re.compile(r"[\u4e00-\u9fff]{1,5}$")  # the words right before a figure, its label


def one_line(text: str | None, width: int | None = None) -> str:
    """`text` on one line (line breaks and runs of spaces become one space), cut to `width` with "…"."""
    flat = _SPACE.sub(" ", text or "").strip()
    if width is not None and len(flat) > width:
        return (elide.head(flat, width - 1) or flat[: width - 1]).rstrip() + "…"
    return flat


def yi_number(value: float) -> str:
    """`32.0` -> "32", `4.30` -> "4.3", `0.08` -> "0.08"."""
    return f"{value:.2f}".rstrip("0").rstrip(".")


def amount_label(amount: dict | None) -> str:
    """An amount in its own currency: "32 亿元", "4.3 亿美元"; under 1 亿 in 万: "4000 万元"; "" when none."""
    if not amount or amount.get("yi") is None:
        return ""
    currency = amount.get("currency") or "CNY"
    unit = CURRENCY_UNITS.get(currency, f"亿 {currency}")
    yi = float(amount["yi"])
    if 0 < yi < 1:
        return f"{yi_number(yi * 1e4)} {unit.replace('亿', '万', 1)}"
    return f"{yi_number(yi)} {unit}"


def headline(item: ArticleItem) -> dict | None:
    """The project's own investment: the first amount unless that is a total, cumulative figure or target."""
    if not item.amounts or not item.amounts[0].get("own", True):
        return None
    return item.amounts[0]


def headline_amount(item: ArticleItem) -> str:
    """The headline amount of a project, formatted; "" when the article names none."""
    return amount_label(headline(item))


def rank_amount(amount: dict) -> float:
    """An amount in approximate 亿元, for ranking and thresholds only."""
    return float(amount.get("yi") or 0.0) * RANK_RATES.get(amount.get("currency") or "CNY", 1.0)


def rank_value(item: ArticleItem) -> float:
    """The headline amount in approximate 亿元, for ranking only."""
    amount = headline(item)
    return rank_amount(amount) if amount is not None else 0.0


def policy_title(item: ArticleItem) -> str:
    """The policy's title in 《》: the first 《》 title the article names, else its own title."""
    title = one_line(item.policies[0] if item.policies else item.title)
    return title if title.startswith("《") and title.endswith("》") else f"《{title.strip('《》')}》"


def district_of(item: ArticleItem) -> str:
    if len(item.districts) == 1:
        return item.districts[0]
    return MULTI_DISTRICT if item.districts else NO_DISTRICT


def district_key(name: str) -> tuple[int, str]:
    """Sort key of a district group: the city, then the districts in their usual order, then the rest."""
    order = {district: i for i, district in enumerate(DISTRICT_ORDER)}
    if name in order:
        return order[name], name
    return len(order) + (1 if name == MULTI_DISTRICT else 2 if name == NO_DISTRICT else 0), name


@dataclass(frozen=True)
class DistrictGroup:
    district: str
    items: list[ArticleItem]


def by_district(items: Iterable[ArticleItem]) -> list[DistrictGroup]:
    """Projects grouped by district (city first, then districts in the usual order), biggest first within."""
    groups: dict[str, list[ArticleItem]] = {}
    for item in items:
        groups.setdefault(district_of(item), []).append(item)
    return [
        DistrictGroup(name, sorted(groups[name], key=lambda a: (-rank_value(a), a.day)))
        for name in sorted(groups, key=district_key)
    ]


def top_projects(items: list[ArticleItem], limit: int | None) -> list[ArticleItem]:
    """The `limit` biggest projects (all when `limit` is None)."""
    ranked = sorted(items, key=lambda a: (-rank_value(a), -a.day.toordinal()))
    return ranked if limit is None else ranked[:limit]


def newest(items: list[ArticleItem], limit: int | None) -> list[ArticleItem]:
    ranked = sorted(items, key=lambda a: (a.day, a.id), reverse=True)
    return ranked if limit is None else ranked[:limit]


def changed_figures(old: str, new: str, limit: int = 5) -> list[str]:
    """The figures a revision changed, each with the words before it: "总投资 32亿元 → 36亿元"."""
    lines = []
    for change in number_changes(old, new)[:limit]:
        before = change.context.split(change.found)[0]
        label = _LABEL.search(before)
        words = label.group(0) if label else ""
        lines.append(f"{words} {change.known} → {change.found}".strip())
    return lines


def local_day(moment: datetime | None, tz: ZoneInfo) -> str:
    return moment.astimezone(tz).date().isoformat() if moment else ""


def local_time(moment: datetime | None, tz: ZoneInfo) -> str:
    return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M") if moment else ""


def day_label(day: date | None) -> str:
    return day.isoformat() if day else ""


def safe_url(url: str | None) -> str:
    """Only http(s) links go into a digest; anything else (javascript:, data:) becomes "#"."""
    return url if url and re.match(r"^https?://", url, re.I) else "#"
