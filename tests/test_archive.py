"""The reports folder: one HTML file per digest, index.html and an Atom feed; dry runs write and mark nothing."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date

import pytest
from digest_samples import add_hostile, prepare_week, with_digest
from smtp_server import smtp_server
from sqlalchemy import func, select

from portalwatch.cli import main
from portalwatch.storage import articles
from reports.digest import run_digest

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def week(tmp_path):
    with smtp_server() as (port, recorder):
        config, store = prepare_week(tmp_path, port)
        yield config, store, recorder


def pending(store) -> int:
    with store.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(articles).where(articles.c.digest_id.is_(None))).scalar()


def test_every_sent_digest_is_archived_and_indexed(week):
    config, _store, recorder = week
    outcome = run_digest(config)
    reports = config.digest.reports_dir
    files = sorted(reports.glob("digest-*.html"))
    assert len(files) == 2 and outcome.path == files[-1]
    assert all(path.stat().st_mode & 0o777 == 0o644 for path in reports.iterdir())  # a web server can read them
    archived = outcome.path.read_text(encoding="utf-8")
    assert "《崂山区关于促进数字经济高质量发展的若干措施》" in archived and "laoshan-news：失败" in archived
    mailed = recorder.received[-1].message.get_body(("html",)).get_content()
    assert archived.count("<tr>") == mailed.count("<tr>")
    index = (reports / "index.html").read_text(encoding="utf-8")
    first, second = files
    assert index.index(f'href="{second.name}"') < index.index(f'href="{first.name}"')
    assert "新项目 3 · 新政策 2 · 其他 1" in index
    assert 'href="feed.xml"' in index


def test_the_feed_lists_new_articles_and_links_to_them(week):
    config, store, _recorder = week
    add_hostile(store)
    run_digest(config)
    feed = ET.parse(config.digest.reports_dir / "feed.xml").getroot()
    assert feed.tag == f"{ATOM}feed"
    assert feed.find(f"{ATOM}id").text.startswith("urn:uuid:")
    entries = {e.find(f"{ATOM}title").text: e for e in feed.findall(f"{ATOM}entry")}
    assert "【即墨区招商】青岛蓝谷海洋生物医药基地项目开工" in entries
    assert "<script>alert(1)</script>新项目签约" in entries  # escaped in XML, read back as text
    assert "Subject Bcc: evil@example.com" in entries
    assert "【即墨区招商】蓝谷项目集中签约（转载）" not in entries  # copies of known articles are not new
    blue_valley = entries["【即墨区招商】青岛蓝谷海洋生物医药基地项目开工"]
    assert blue_valley.find(f"{ATOM}link").get("href") == "http://www.example.gov.cn/art/2026/11/17/art_1_201.html"
    assert "4.3 亿美元" in blue_valley.find(f"{ATOM}summary").text
    assert entries["带脚本链接的文章"].find(f"{ATOM}link").get("href") == "#"
    ids = [e.find(f"{ATOM}id").text for e in entries.values()]
    assert len(set(ids)) == len(ids)


def test_dry_run_writes_the_file_and_marks_nothing(week, tmp_path):
    config, store, recorder = week
    out = tmp_path / "preview" / "digest.html"
    outcome = run_digest(config, dry_run=True, out=out)
    assert outcome.status == "written" and outcome.path == out
    assert "《崂山区关于促进数字经济高质量发展的若干措施》" in out.read_text(encoding="utf-8")
    assert (config.digest.reports_dir / "preview.html").exists()
    assert 'href="preview.html"' in (config.digest.reports_dir / "index.html").read_text(encoding="utf-8")
    assert len(recorder.received) == 1
    assert pending(store) == 8
    assert run_digest(config).counts == outcome.counts


def test_since_takes_articles_already_sent(week):
    config, _store, _recorder = week
    run_digest(config)
    again = run_digest(config, dry_run=True, since=date(2000, 1, 1))
    assert again.counts["projects"] == 4  # last week's project too
    assert run_digest(config, dry_run=True, since=date(2999, 1, 1)).counts["projects"] == 0


def test_cli_dry_run_prints_where_it_wrote(week, tmp_path, capsys):
    config, store, recorder = week
    out = tmp_path / "out.html"
    assert main(["-c", str(config.source), "digest", "--dry-run", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert f"digest written to {out}" in printed and "3 projects, 2 policies" in printed
    assert out.exists() and len(recorder.received) == 1 and pending(store) == 8


def test_cli_rejects_a_bad_since_date(week, capsys):
    config, _store, _recorder = week
    assert main(["-c", str(config.source), "digest", "--since", "21.11.2026"]) == 2
    assert "--since '21.11.2026': expected a date as YYYY-MM-DD" in capsys.readouterr().err


def test_an_unwritable_reports_folder_fails_clearly_and_keeps_articles(week, tmp_path):
    config, store, recorder = week
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the reports folder should be", encoding="utf-8")
    outcome = run_digest(with_digest(config, reports_dir=blocker))
    assert outcome.status == "failed"
    assert "cannot write the report" in outcome.error and "not-a-folder" in outcome.error
    assert len(recorder.received) == 1 and pending(store) == 8
