"""How digest facts read: amounts in 亿, one-line titles and summaries, districts grouped, items ranked."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

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


def one_line(text: str | None, width: int | None = None) -> str:
    """`text` on one line (line breaks and runs of spaces become one space), cut to `width` with "…"."""
    flat = _SPACE.sub(" ", text or "").strip()
    if width is not None and len(flat) > width:
        return flat[: width - 1].rstrip() + "…"
    return flat


def yi_number(value: float) -> str:
    """`32.0` -> "32", `4.30` -> "4.3", `0.08` -> "0.08"."""
    return f"{value:.2f}".rstrip("0").rstrip(".")


def amount_label(amount: dict | None) -> str:
    """An amount in 亿 of its own currency: "32 亿元", "4.3 亿美元"; "" when there is none."""
    if not amount or amount.get("yi") is None:
        return ""
    currency = amount.get("currency") or "CNY"
    unit = CURRENCY_UNITS.get(currency, f"亿 {currency}")
    return f"{yi_number(float(amount['yi']))} {unit}"


def headline_amount(item: ArticleItem) -> str:
    """The headline (first) amount of a project, formatted; "" when the article names none."""
    return amount_label(item.amounts[0]) if item.amounts else ""


def rank_value(item: ArticleItem) -> float:
    """The headline amount in approximate 亿元, for ranking only."""
    if not item.amounts:
        return 0.0
    amount = item.amounts[0]
    return float(amount.get("yi") or 0.0) * RANK_RATES.get(amount.get("currency") or "CNY", 1.0)


def policy_title(item: ArticleItem) -> str:
    """The policy's title in 《》: the first 《》 title the article names, else its own title."""
    title = one_line(item.policies[0] if item.policies else item.title)
    return title if title.startswith("《") and title.endswith("》") else f"《{title.strip('《》')}》"


def district_of(item: ArticleItem) -> str:
    if len(item.districts) == 1:
        return item.districts[0]
    return MULTI_DISTRICT if item.districts else NO_DISTRICT


def _district_key(name: str) -> tuple[int, str]:
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
        for name in sorted(groups, key=_district_key)
    ]


def top_projects(items: list[ArticleItem], limit: int | None) -> list[ArticleItem]:
    """The `limit` biggest projects (all when `limit` is None)."""
    ranked = sorted(items, key=lambda a: (-rank_value(a), -a.day.toordinal()))
    return ranked if limit is None else ranked[:limit]


def newest(items: list[ArticleItem], limit: int | None) -> list[ArticleItem]:
    ranked = sorted(items, key=lambda a: (a.day, a.id), reverse=True)
    return ranked if limit is None else ranked[:limit]


def local_time(moment: datetime | None, tz: ZoneInfo) -> str:
    return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M") if moment else ""


def day_label(day: date | None) -> str:
    return day.isoformat() if day else ""


def safe_url(url: str | None) -> str:
    """Only http(s) links go into a digest; anything else (javascript:, data:) becomes "#"."""
    return url if url and re.match(r"^https?://", url, re.I) else "#"
