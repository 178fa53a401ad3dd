"""Schema migrations: a database of the previous release upgrades in place with its data; a newer one is refused."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from datetime import UTC, date, datetime
from pathlib import Path

import previous_schema
import pytest
from alembic import command as alembic_command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, insert, inspect, select, text

from portalwatch import migrate
from portalwatch.models import Classification, CrawledArticle, Verdict
from portalwatch.storage import Store, metadata

REPO = Path(__file__).resolve().parent.parent
T0 = datetime(2026, 11, 16, 0, 0, tzinfo=UTC)


def previous_release_database(url: str) -> dict[str, list[tuple]]:
    """Make the tables the previous release made, fill them as it would have; return every row by table."""
    engine = create_engine(url)
    previous_schema.metadata.create_all(engine)
    t = previous_schema.metadata.tables
    with engine.begin() as conn:
        conn.execute(insert(t["digests"]).values(
            created_at=T0, period_start=None, period_end=T0, status="sent", sent_at=T0,
            message_id="<1@pw>", path="reports/digest-2026-11-16-0001.html", counts={"projects": 1}))
        conn.execute(insert(t["articles"]), [
            dict(url="http://127.0.0.1/a/1.html", portal="laoshan", title="崂山区项目签约", published=date(2026, 11, 2),
                 text="总投资10亿元。", content_hash="h1", first_seen=T0, last_seen=T0, status="new",
                 number_changes=[], kind="project", districts=["崂山区"], amounts=[], projects=["某某项目"],
                 stage="签约", policies=[], doc_numbers=[], issuers=[], summary="签约", attachments=[],
                 etag='"e1"', last_modified="Mon, 02 Nov 2026 02:00:00 GMT", digest_id=1),
            dict(url="http://127.0.0.1/a/2.html", portal="laoshan", title="关于印发办法的通知", published=None,
                 text="各区市：", content_hash="h2", first_seen=T0, last_seen=T0, status="revised",
                 number_changes=[], kind="policy", districts=[], amounts=[], projects=[], stage=None,
                 policies=["办法"], doc_numbers=["青政发〔2026〕1号"], issuers=[], summary="", attachments=[],
                 etag=None, last_modified=None,
                 digest_id=None),
        ])
        conn.execute(insert(t["revisions"]).values(
            article_id=2, seen_at=T0, old_title="旧", new_title="关于印发办法的通知", old_text="旧文",
            new_text="各区市：", digest_id=None))
        conn.execute(insert(t["crawl_runs"]).values(started_at=T0, finished_at=T0, status="ok", trigger="cli"))
        conn.execute(insert(t["portal_runs"]).values(
            run_id=1, portal="laoshan", status="ok", list_pages=1, articles_fetched=2, not_modified=0, new=1,
            duplicate=0, revised=1, errors=0))
        conn.execute(insert(t["crawl_errors"]).values(
            run_id=1, portal="laoshan", url="http://127.0.0.1/a/3.html", reason="http-503", detail="", at=T0))
    rows = _all_rows(engine)
    engine.dispose()
    return rows


def _all_rows(engine) -> dict[str, list[tuple]]:
    """Every row of the previous release's tables, read with the columns that release had."""
    with engine.connect() as conn:
        return {name: [tuple(r) for r in conn.execute(select(table).order_by(table.c.id))]
                for name, table in previous_schema.metadata.tables.items()}


def _revision(url: str) -> str | None:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    finally:
        engine.dispose()


def test_migrations_form_one_chain() -> None:
    assert len(migrate.scripts().get_heads()) == 1
    assert migrate.BASELINE in migrate.known_revisions()


def test_new_database_gets_the_schema_of_the_tables(db_url: str) -> None:
    store = Store(db_url)
    with store.engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), metadata) == []
    assert _revision(db_url) == migrate.head()


def test_previous_release_database_upgrades_in_place_with_its_data(db_url: str) -> None:
    before = previous_release_database(db_url)
    assert _revision(db_url) is None  # the previous release had no migrations

    store = Store(db_url)

    assert _revision(db_url) == migrate.head()
    after = _all_rows(store.engine)
    assert {name: len(rows) for name, rows in after.items()} == {name: len(rows) for name, rows in before.items()}
    for name, rows in before.items():
        assert [_utc_row(r) for r in after[name]] == [_utc_row(r) for r in rows], name
    with store.engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), metadata) == []
    assert store.get_article("http://127.0.0.1/a/1.html")["first_seen"] == T0
    # the upgraded store takes what the old limits refused: a long URL, a long validator
    long_url = "http://127.0.0.1/a/" + "x" * 3000 + ".html"
    store.insert_article(CrawledArticle(url=long_url, portal="p" * 300, title="t", text="正文", etag="e" * 900),
                         "h3", Verdict("new"), Classification())
    assert store.get_article(long_url)["etag"] == "e" * 900


def _utc_row(row: tuple) -> tuple:
    """Timestamps compared as moments (a driver may hand them back in its session's zone)."""
    return tuple(v.astimezone(UTC) if isinstance(v, datetime) and v.tzinfo else
                 v.replace(tzinfo=UTC) if isinstance(v, datetime) else v for v in row)


def test_a_database_alembic_stamped_with_its_own_short_version_column_upgrades_to_head(db_url: str) -> None:
    engine = create_engine(db_url)
    with engine.begin() as conn:  # what plain Alembic makes: version_num VARCHAR(32)
        alembic_command.upgrade(migrate.alembic_config(conn), "0005_subscriptions_and_meta")
    engine.dispose()
    assert max(map(len, migrate.known_revisions())) > 32  # revision names that column cannot hold

    Store(db_url)

    assert _revision(db_url) == migrate.head()


def test_newer_database_is_refused_and_left_alone(db_url: str) -> None:
    Store(db_url)
    engine = create_engine(db_url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999_from_the_future'"))
    with pytest.raises(migrate.SchemaTooNew, match=r"9999_from_the_future.*newer portalwatch"):
        Store(db_url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == "9999_from_the_future"
        assert inspect(conn).has_table("articles")
    engine.dispose()


def test_commands_report_a_newer_database_with_their_own_exit_code(tmp_path: Path, db_url: str) -> None:
    Store(db_url)
    engine = create_engine(db_url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999_from_the_future'"))
    engine.dispose()
    config = tmp_path / "config.yaml"
    config.write_text(f"database: {db_url}\n", encoding="utf-8")
    for command in (["status"], ["db", "upgrade"]):
        done = subprocess.run([sys.executable, "-m", "portalwatch", "-c", str(config), *command],
                              cwd=tmp_path, capture_output=True, text=True, timeout=120)
        assert done.returncode == 4, done.stderr
        assert "9999_from_the_future" in done.stderr and "newer portalwatch" in done.stderr
        assert "Traceback" not in done.stderr


def test_db_upgrade_command_upgrades_a_previous_release_database(tmp_path: Path, db_url: str) -> None:
    previous_release_database(db_url)
    config = tmp_path / "config.yaml"
    config.write_text(f"database: {db_url}\n", encoding="utf-8")
    run = [sys.executable, "-m", "portalwatch", "-c", str(config), "db", "upgrade"]
    first = subprocess.run(run, cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert first.returncode == 0, first.stderr
    assert f"from {migrate.BASELINE} to {migrate.head()}" in first.stdout
    again = subprocess.run(run, cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert again.returncode == 0 and f"already at {migrate.head()}" in again.stdout
    assert _revision(db_url) == migrate.head()


def test_installs_starting_together_create_the_schema_once(db_url: str) -> None:
    errors: list[BaseException] = []
    start = threading.Barrier(4)

    def open_store() -> None:
        start.wait()
        try:
            Store(db_url).engine.dispose()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=open_store) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert _revision(db_url) == migrate.head()


OPEN_STORE = """
import sys, time
from portalwatch.storage import Store
print("imported", flush=True)
started = time.monotonic()
Store(sys.argv[1])
print(time.monotonic() - started, flush=True)
"""


def test_a_process_killed_while_creating_the_schema_leaves_a_database_the_next_one_opens(tmp_path: Path) -> None:
    timing = subprocess.run([sys.executable, "-c", OPEN_STORE, f"sqlite:///{tmp_path / 'timing.db'}"],
                            capture_output=True, text=True, check=True, timeout=120)
    creating = float(timing.stdout.split()[-1])  # seconds the schema takes to create, once imports are done
    for i in range(8):
        url = f"sqlite:///{tmp_path / f'killed{i}.db'}"
        victim = subprocess.Popen([sys.executable, "-c", OPEN_STORE, url], stdout=subprocess.PIPE, text=True)
        assert victim.stdout.readline() == "imported\n"
        time.sleep(creating * (i + 1) / 10)  # the kills fall all over the creation
        victim.kill()
        victim.wait(timeout=30)
        reopened = subprocess.run([sys.executable, "-c", OPEN_STORE, url], capture_output=True, text=True,
                                  timeout=120)
        assert reopened.returncode == 0, (i, reopened.stderr[-1500:])
        assert _revision(url) == migrate.head()


def test_demo_runs_on_an_upgraded_previous_release_database(tmp_path: Path, db_url: str) -> None:
    before = previous_release_database(db_url)
    done = subprocess.run(
        [sys.executable, "-m", "portalwatch", "demo", "--dir", str(tmp_path / "demo"), "--database", db_url],
        cwd=REPO, capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "week 1 digest: sent" in done.stdout and "week 2 digest: sent" in done.stdout
    store = Store(db_url)
    after = _all_rows(store.engine)
    assert len(after["articles"]) > len(before["articles"])
    kept = {row[1]: row for row in after["articles"]}
    for row in before["articles"]:
        assert _utc_row(kept[row[1]]) == (*_utc_row(row)[:-1], kept[row[1]][-1])  # all but digest_id unchanged
    assert store.get_article("http://127.0.0.1/a/2.html")["digest_id"] is not None  # the old pending one went out
