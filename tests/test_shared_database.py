"""Two installs (two folders, two configs) on one database: they take turns, and every article is stored once.

On PostgreSQL the installs share nothing but the database, so the lock they take turns on is the one in the
database; on SQLite the lock file lies beside the one database file.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
import testdb
import yaml
from sqlalchemy import func, select
from test_scheduler_support import Holder, portalwatch, runs, write_config

from portalwatch.config import Config, load_config
from portalwatch.lock import LockBusy, current_holder, exclusive
from portalwatch.storage import Store, articles, crawl_errors

pytestmark = pytest.mark.timeout(300)
ROUNDS = 3


def install(folder: Path, database: str, portals: list[dict]) -> Config:
    """An install of its own in `folder` (its own data folder and lock file) on the shared `database`."""
    folder.mkdir(parents=True, exist_ok=True)
    config = write_config(folder, portals, smtp_port=9)
    data = yaml.safe_load(config.source.read_text(encoding="utf-8"))
    data["database"] = database
    config.source.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return load_config(config.source)


def _bare_install(folder: Path, database: str) -> Config:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "config.yaml").write_text(f"database: {database}\n", encoding="utf-8")
    return load_config(folder / "config.yaml")


def test_an_install_is_told_which_process_of_another_install_holds_the_database(tmp_path: Path) -> None:
    database = testdb.database_for(tmp_path)
    first, second = (_bare_install(tmp_path / name, database) for name in ("first", "second"))
    holder = Holder(first, "crawl")
    try:
        with pytest.raises(LockBusy) as caught, exclusive(second, "crawl", wait=0):
            pytest.fail("took the lock another install holds")
        assert f"another portalwatch (pid {holder.process.pid}, crawl, since " in str(caught.value)
        found = current_holder(second)
        assert found is not None and (found.pid, found.command) == (holder.process.pid, "crawl")
    finally:
        holder.close()
    assert current_holder(second) is None  # the holder's end (kill -9 here) freed it
    with exclusive(second, "crawl", wait=0):
        assert current_holder(first) is not None


def test_an_install_on_another_database_is_neither_held_up_nor_named(tmp_path: Path) -> None:
    ours = _bare_install(tmp_path / "ours", testdb.database_for(tmp_path / "ours"))
    theirs = _bare_install(tmp_path / "theirs", testdb.database_for(tmp_path / "theirs"))
    holder = Holder(theirs, "crawl")
    try:
        assert current_holder(ours) is None
        with exclusive(ours, "crawl", wait=0):
            assert current_holder(theirs) is not None
    finally:
        holder.close()


def test_two_installs_crawling_one_database_at_once_never_overlap_and_store_each_article_once(
    tmp_path: Path, fresh_sites,
) -> None:
    database = testdb.database_for(tmp_path)  # empty: the first round also races creating the schema
    installs = [install(tmp_path / name, database, fresh_sites.portals()) for name in ("east", "west")]
    names = [portal.name for portal in installs[0].portals]
    expected: set[str] = set()
    for round_ in range(ROUNDS):
        if round_ == 1:
            fresh_sites.set_version(2)  # articles added and revised between rounds
        expected |= {article.url for name in names for article in fresh_sites.expected(name)}
        started = [portalwatch(config, "crawl") for config in installs]
        outputs = [process.communicate(timeout=240)[0] for process in started]
        assert [p.returncode for p in started] == [0, 0], "\n".join(outputs)
        assert "".join(outputs).count("is running; waiting up to 60 s") == 1, "\n".join(outputs)
    done = runs(installs[0])
    assert len(done) == 2 * ROUNDS and all(r["status"] == "ok" for r in done)
    for earlier, later in itertools.pairwise(done):
        assert earlier["finished_at"] <= later["started_at"], "two crawls overlapped"
    store = Store(database)
    with store.engine.connect() as conn:
        stored = conn.execute(select(func.count(), func.count(articles.c.url.distinct()))).one()
        errors = conn.execute(select(crawl_errors.c.reason, crawl_errors.c.detail)).all()
    assert errors == []
    assert stored[0] == stored[1] == sum(1 for _ in store.iter_articles())
    assert {row["url"] for row in store.iter_articles()} >= expected, "an article was lost"
