"""`portalwatch reclassify` over a real SQLite store, and the export that shows the result."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import testdb

from portalwatch.cli import main
from portalwatch.models import Classification, CrawledArticle, Verdict
from portalwatch.storage import Store

SIGNING = CrawledArticle(
    url="http://127.0.0.1:8001/xwzx/202603/t20260312_1.shtml",
    portal="chengyang",
    title="总投资32亿元 智能制造产业园项目签约",
    text="12日上午，区政府与中车四方举行智能制造产业园项目签约仪式。该项目总投资32亿元，达产后年产值60亿元。",
)
NOTICE = CrawledArticle(
    url="http://127.0.0.1:8001/zwgk/202604/t20260402_2.shtml",
    portal="laoshan",
    title="崂山区人民政府关于印发《崂山区促进数字经济发展若干措施》的通知",
    text="文号：崂政发〔2026〕15号\n现将《崂山区促进数字经济发展若干措施》印发给你们，请认真贯彻执行。",
)


@pytest.fixture
def config_file(tmp_path: Path) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(
        f"database: {testdb.database_for(tmp_path)}\n"
        "portals:\n"
        "  - name: chengyang\n    start_urls: http://127.0.0.1:8001/xwzx/\n    district: 城阳区\n"
        "  - name: laoshan\n    start_urls: http://127.0.0.1:8001/zwgk/\n    district: 崂山区\n",
        encoding="utf-8",
    )
    return path


def stored(config_file: Path) -> Store:
    store = Store(testdb.database_for(config_file.parent))
    for item in (SIGNING, NOTICE):
        store.insert_article(item, item.url, Verdict("new"), Classification())  # as an older version left them
    return store


def test_reclassify_updates_every_article_and_export_shows_the_fields(
    config_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = stored(config_file)
    assert main(["-c", str(config_file), "reclassify"]) == 0
    assert "reclassified 2 of 2 articles: 2 changed" in capsys.readouterr().out

    signing = store.get_article(SIGNING.url)
    assert (signing["kind"], signing["districts"], signing["stage"]) == ("project", ["城阳区"], "签约")
    assert signing["amounts"] == [{"text": "32亿元", "value": 32.0, "unit": "亿元", "currency": "CNY", "yi": 32.0,
                                   "own": True}]
    assert signing["projects"] == ["智能制造产业园项目"]
    notice = store.get_article(NOTICE.url)
    assert (notice["kind"], notice["districts"]) == ("policy", ["崂山区"])
    assert notice["policies"] == ["崂山区促进数字经济发展若干措施"]
    assert notice["doc_numbers"] == ["崂政发〔2026〕15号"]
    assert notice["issuers"] == ["崂山区人民政府"]

    assert main(["-c", str(config_file), "export"]) == 0
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert {r["url"]: r["kind"] for r in records} == {SIGNING.url: "project", NOTICE.url: "policy"}
    assert all(r["summary"] and r["district"] for r in records)


def test_a_second_run_changes_nothing(config_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    stored(config_file)
    assert main(["-c", str(config_file), "reclassify"]) == 0
    capsys.readouterr()
    assert main(["-c", str(config_file), "reclassify"]) == 0
    assert "reclassified 2 of 2 articles: 0 changed" in capsys.readouterr().out


def test_an_article_of_a_portal_no_longer_configured_still_gets_classified(
    config_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = stored(config_file)
    gone = CrawledArticle(url="http://127.0.0.1:8001/old/1.shtml", portal="removed", title="胶州市项目开工",
                          text="胶州市重点项目集中开工，总投资50亿元。")
    store.insert_article(gone, gone.url, Verdict("new"), Classification())
    assert main(["-c", str(config_file), "reclassify"]) == 0
    assert store.get_article(gone.url)["districts"] == ["胶州市"]
