"""The archive's projects page in headless Chromium: every project, filtering and sorting work, the chart draws."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from browser import page

from portalwatch.models import Amount, Classification, CrawledArticle, Match, Verdict
from portalwatch.storage import Store, utcnow
from reports import archive

TZ = ZoneInfo("Asia/Shanghai")
# (district, published, 亿元 or None, stage)
PROJECTS = [
    ("崂山区", date(2026, 9, 8), 32.0, "签约"),
    ("崂山区", date(2026, 10, 20), 0.6, "开工"),
    ("市北区", date(2026, 10, 3), 12.5, "竣工"),
    ("市北区", date(2026, 11, 11), None, "签约"),
    ("即墨区", date(2026, 11, 2), 4.3, "开工"),
    ("即墨区", date(2026, 11, 25), 80.0, "投产"),
]


def store_projects(database: str) -> Store:
    store = Store(database)
    for i, (district, day, yi, stage) in enumerate(PROJECTS):
        amounts = [Amount(f"总投资{yi}亿元", yi, "亿元", "CNY", yi)] if yi is not None else []
        item = CrawledArticle(url=f"http://www.example.gov.cn/art/{i}.html", portal="news",
                              title=f"{district}第{i}个项目{stage}", text="……", published=day)
        store.insert_article(item, f"h{i}", Verdict(status="new"), Classification(
            kind="project", districts=[district], amounts=amounts, projects=[f"第{i}号项目"], stage=stage))
    # a plain copy of a known article and a policy are not on the page
    copy = CrawledArticle(url="http://www.example.gov.cn/art/copy.html", portal="news", title="转载",
                          text="……", published=date(2026, 11, 1))
    store.insert_article(copy, "hc", Verdict(status="duplicate", duplicate_of=Match("seeds/x#1", "x", 0.99)),
                         Classification(kind="project", districts=["崂山区"], stage="签约"))
    policy = CrawledArticle(url="http://www.example.gov.cn/art/policy.html", portal="news", title="政策",
                            text="……", published=date(2026, 11, 1))
    store.insert_article(policy, "hp", Verdict(status="new"), Classification(kind="policy", districts=["崂山区"]))
    return store


@pytest.fixture
def projects_page(tmp_path: Path) -> Path:
    store = store_projects(f"sqlite:///{tmp_path / 'portalwatch.db'}")
    return archive.write_projects(store, tmp_path / "reports", {"news": "青岛新闻网"}, utcnow(), TZ)


def rows(tab) -> list[dict]:
    return tab.evaluate("""() => [...document.querySelectorAll('#projects tbody tr')].map(tr => ({
        day: tr.cells[0].textContent, district: tr.cells[1].textContent, stage: tr.cells[3].textContent,
        yi: tr.cells[4].dataset.yi === '' ? null : parseFloat(tr.cells[4].dataset.yi),
        amount: tr.cells[4].textContent, portal: tr.cells[5].textContent}))""")


def bars(tab) -> dict[tuple[str, str], float]:
    return {(b["month"], b["district"]): b["yi"] for b in tab.evaluate(
        """() => [...document.querySelectorAll('#chart svg rect')].map(r => ({month: r.dataset.month,
        district: r.dataset.district, yi: parseFloat(r.dataset.yi)}))""")}


def expected_bars(projects) -> dict[tuple[str, str], float]:
    sums: dict[tuple[str, str], float] = defaultdict(float)
    for district, day, yi, _stage in projects:
        if yi is not None:
            sums[(day.isoformat()[:7], district)] += yi
    return dict(sums)


def test_every_project_is_listed_newest_first_with_its_amount(projects_page: Path) -> None:
    with page({"width": 1200, "height": 900}) as tab:
        tab.goto(projects_page.as_uri())
        shown = rows(tab)
    assert [r["day"] for r in shown] == sorted((d.isoformat() for _, d, _, _ in PROJECTS), reverse=True)
    assert {r["amount"] for r in shown} >= {"6000 万元", "80 亿元", ""}
    assert {r["portal"] for r in shown} == {"青岛新闻网"}


def test_filters_narrow_the_table_and_the_chart(projects_page: Path) -> None:
    with page({"width": 1200, "height": 900}) as tab:
        tab.goto(projects_page.as_uri())
        assert bars(tab) == pytest.approx(expected_bars(PROJECTS))
        tab.select_option("#f-district", "市北区")
        assert {r["district"] for r in rows(tab)} == {"市北区"} and len(rows(tab)) == 2
        assert bars(tab) == pytest.approx(expected_bars([p for p in PROJECTS if p[0] == "市北区"]))
        tab.select_option("#f-district", "")
        tab.fill("#f-min", "10")
        assert sorted(r["yi"] for r in rows(tab)) == [12.5, 32.0, 80.0]
        tab.fill("#f-min", "")
        tab.fill("#f-from", "2026-11-01")
        assert all(r["day"] >= "2026-11-01" for r in rows(tab)) and len(rows(tab)) == 3
        tab.select_option("#f-stage", "开工")
        assert [(r["district"], r["stage"]) for r in rows(tab)] == [("即墨区", "开工")]


def test_sorting_by_any_column(projects_page: Path) -> None:
    with page({"width": 1200, "height": 900}) as tab:
        tab.goto(projects_page.as_uri())
        tab.click("th[data-key=yi]")
        amounts = [r["yi"] for r in rows(tab)]
        assert amounts == [80.0, 32.0, 12.5, 4.3, 0.6, None]  # largest first, no amount last
        tab.click("th[data-key=yi]")
        assert [r["yi"] for r in rows(tab)] == [0.6, 4.3, 12.5, 32.0, 80.0, None]
        tab.click("th[data-key=district]")
        districts = [r["district"] for r in rows(tab)]
        assert districts == sorted(districts)
