"""Storage round-trips on a real database (SQLite file or PostgreSQL), and what a crash leaves behind."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
import textwrap
from datetime import date
from pathlib import Path

import pytest
import testdb
from sqlalchemy.exc import IntegrityError

from portalwatch.models import Amount, Classification, CrawledArticle, Match, NumberChange, Verdict
from portalwatch.storage import Store

REPO = Path(__file__).resolve().parent.parent

PROJECT = Classification(
    kind="project",
    districts=["胶州市"],
    amounts=[Amount(text="总投资32亿元", value=32, unit="亿元", currency="CNY", yi=32.0)],
    projects=["上合示范区新能源装备产业园项目"],
    stage="签约",
    summary="胶州市上合示范区新能源装备产业园项目签约,总投资32亿元。",
)


def article(url: str = "http://127.0.0.1/a/t20261102_1.shtml", text: str = "正文第一版。") -> CrawledArticle:
    return CrawledArticle(
        url=url, portal="jiaozhou", title="上合示范区新能源装备产业园项目签约", text=text,
        published=date(2026, 11, 2), attachments=["http://127.0.0.1/a/P1.pdf"], etag='"v1"',
        last_modified="Mon, 02 Nov 2026 02:00:00 GMT",
    )


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(testdb.database_for(tmp_path))


def test_database_file_and_folder_are_created_on_first_use(tmp_path: Path) -> None:
    Store(f"sqlite:///{tmp_path}/new/dir/pw.db")
    assert (tmp_path / "new/dir/pw.db").is_file()


def test_new_article_round_trip(store: Store) -> None:
    article_id = store.insert_article(article(), "h1", Verdict("new"), PROJECT)
    row = store.get_article("http://127.0.0.1/a/t20261102_1.shtml")
    assert row["id"] == article_id
    assert (row["status"], row["kind"], row["published"]) == ("new", "project", date(2026, 11, 2))
    assert row["districts"] == ["胶州市"]
    assert row["amounts"] == [{"text": "总投资32亿元", "value": 32, "unit": "亿元", "currency": "CNY", "yi": 32.0,
                              "own": True}]
    assert row["attachments"] == ["http://127.0.0.1/a/P1.pdf"]
    assert row["first_seen"] == row["last_seen"]
    assert store.known_urls("jiaozhou") == {"http://127.0.0.1/a/t20261102_1.shtml"}
    assert list(store.iter_article_texts(0)) == [(article_id, row["url"], row["title"], "正文第一版。")]
    assert list(store.iter_article_texts(article_id)) == []


def test_duplicate_keeps_what_it_matched_and_the_changed_figures(store: Store) -> None:
    verdict = Verdict(
        "duplicate",
        Match(source="seeds/004_dfa85d812edf7218.txt#1", title="强力推进重点产业", score=0.93),
        [NumberChange(known="1197.5亿元", found="1200亿元", context="总投资1200亿元")],
    )
    store.insert_article(article(), "h1", verdict, Classification())
    row = store.get_article(article().url)
    assert (row["status"], row["duplicate_of"], row["similarity"]) == (
        "duplicate", "seeds/004_dfa85d812edf7218.txt#1", 0.93)
    assert row["number_changes"] == [{"known": "1197.5亿元", "found": "1200亿元", "context": "总投资1200亿元"}]


def test_revision_keeps_both_texts_and_marks_the_article_revised(store: Store) -> None:
    store.insert_article(article(), "h1", Verdict("new"), PROJECT)
    known = store.get_article(article().url)
    changed = article(text="正文第二版,总投资调整为35亿元。")
    store.record_revision(known, changed, "h2", PROJECT)
    row = store.get_article(article().url)
    assert (row["status"], row["text"], row["content_hash"]) == ("revised", changed.text, "h2")
    with store.engine.connect() as conn:
        (rev,) = conn.exec_driver_sql("SELECT old_text, new_text FROM revisions").all()
    assert rev == ("正文第一版。", "正文第二版,总投资调整为35亿元。")


def test_a_failed_write_leaves_no_half_article(store: Store) -> None:
    store.insert_article(article(), "h1", Verdict("new"), PROJECT)
    with pytest.raises(IntegrityError):
        store.insert_article(article(text="another"), "h9", Verdict("new"), PROJECT)
    assert store.count_articles() == 1
    assert store.get_article(article().url)["text"] == "正文第一版。"


def test_crawl_run_statistics_and_errors(store: Store) -> None:
    run_id = store.start_run("cli")
    store.record_portal_run(run_id, "jiaozhou", "ok", list_pages=2, articles_fetched=5, new=3, duplicate=2)
    store.record_portal_run(run_id, "blocked-site", "blocked", "HTTP 412 JavaScript challenge")
    store.record_error(run_id, "blocked-site", "http://127.0.0.1:9/", "blocked", "HTTP 412")
    store.finish_run(run_id, "partial")
    with store.engine.connect() as conn:
        runs = conn.exec_driver_sql("SELECT status, finished_at IS NOT NULL FROM crawl_runs").all()
        portals = conn.exec_driver_sql("SELECT portal, status, new, duplicate FROM portal_runs ORDER BY id").all()
        errors = conn.exec_driver_sql("SELECT portal, url, reason FROM crawl_errors").all()
    assert runs == [("partial", 1)]
    assert portals == [("jiaozhou", "ok", 3, 2), ("blocked-site", "blocked", 0, 0)]
    assert errors == [("blocked-site", "http://127.0.0.1:9/", "blocked")]


def test_a_killed_writer_loses_nothing_it_committed(tmp_path: Path) -> None:
    url = testdb.database_for(tmp_path)
    script = textwrap.dedent(f"""
        import os
        from portalwatch.models import Classification, CrawledArticle, Verdict
        from portalwatch.storage import Store
        store = Store({url!r})
        for n in range(50):
            store.insert_article(CrawledArticle(url=f"http://127.0.0.1/{{n}}", portal="p", title=f"t{{n}}",
                                                text="x" * 1000), str(n), Verdict("new"), Classification())
        with store.transaction() as conn:
            conn.exec_driver_sql("UPDATE articles SET title = 'half' WHERE id = 1")
            os._exit(9)  # killed in the middle of a transaction
    """)
    result = subprocess.run([sys.executable, "-c", script], timeout=120)
    assert result.returncode == 9
    store = Store(url)
    assert store.count_articles() == 50
    assert store.get_article("http://127.0.0.1/0")["title"] == "t0"


def test_export_jsonl_and_excel_csv(store: Store, tmp_path: Path) -> None:
    store.insert_article(article(), "h1", Verdict("new"), PROJECT)
    config = tmp_path / "config.yaml"
    config.write_text(f"database: {store.url}\n", encoding="utf-8")
    base = [sys.executable, "-m", "portalwatch", "-c", str(config), "export"]
    out = subprocess.run([*base, "--format", "jsonl"], capture_output=True, timeout=120, check=True)
    (line,) = out.stdout.decode("utf-8").splitlines()
    record = json.loads(line)
    assert record["published"] == "2026-11-02"
    assert record["district"] == ["胶州市"] and record["kind"] == "project" and record["status"] == "new"
    assert record["amounts"][0] == {"text": "总投资32亿元", "value": 32, "unit": "亿元", "currency": "CNY", "yi": 32.0,
                                    "own": True}
    assert record["duplicate_of"] is None
    for key in ("url", "title", "portal", "projects", "policies", "doc_numbers"):
        assert key in record

    target = tmp_path / "articles.csv"
    subprocess.run([*base, "--format", "csv", "--out", str(target)], capture_output=True, timeout=120, check=True)
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs to read UTF-8
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0]["title"] == "上合示范区新能源装备产业园项目签约"
    assert json.loads(rows[0]["amounts"])[0]["yi"] == 32.0
