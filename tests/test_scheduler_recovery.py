"""A crawl run left `running` by a process that died is marked `killed`, but never while someone holds the lock."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from test_scheduler_support import Holder, make_config

from portalwatch.storage import Store, crawl_runs
from scheduler.recovery import record_killed_runs


def statuses(store: Store) -> list[tuple[str, bool]]:
    with store.engine.connect() as conn:
        rows = conn.execute(select(crawl_runs.c.status, crawl_runs.c.finished_at).order_by(crawl_runs.c.id))
        return [(status, finished is not None) for status, finished in rows]


def test_orphaned_running_run_is_marked_killed(tmp_path: Path) -> None:
    config = make_config(tmp_path)
    store = Store(config.database)
    done = store.start_run("daemon")
    store.finish_run(done, "ok")
    orphan = store.start_run("cli")
    assert record_killed_runs(config, "test", wait=0) == [orphan]
    assert statuses(store) == [("ok", True), ("killed", True)]
    assert record_killed_runs(config, "test", wait=0) == []


def test_running_run_is_left_alone_while_another_process_holds_the_lock(tmp_path: Path) -> None:
    config = make_config(tmp_path)
    store = Store(config.database)
    store.start_run("cli")
    holder = Holder(config, "crawl")
    try:
        assert record_killed_runs(config, "test", wait=0.2) == []
    finally:
        holder.close()
    assert statuses(store) == [("running", False)]
