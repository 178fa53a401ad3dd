"""Crawl runs whose process died: a `running` row nobody is running any more becomes `killed`."""

from __future__ import annotations

import logging

from sqlalchemy import select, update

from portalwatch.config import Config
from portalwatch.lock import LockBusy, exclusive
from portalwatch.storage import Store, crawl_runs, utcnow

log = logging.getLogger(__name__)


def mark_killed_runs(store: Store) -> list[int]:
    """Mark every `running` crawl run as `killed`; the caller holds the portalwatch lock, so none is alive."""
    with store.transaction() as conn:
        ids = list(conn.execute(select(crawl_runs.c.id).where(crawl_runs.c.status == "running")).scalars())
        if ids:
            conn.execute(
                update(crawl_runs).where(crawl_runs.c.id.in_(ids)).values(status="killed", finished_at=utcnow())
            )
    return ids


def record_killed_runs(config: Config, command: str, wait: float) -> list[int]:
    """Take the lock (waiting up to `wait` s) and mark orphaned runs `killed`; [] when the lock stays busy."""
    try:
        with exclusive(config, command, wait=wait):
            ids = mark_killed_runs(Store(config.database))
    except LockBusy as exc:
        log.info("not checking for interrupted crawl runs now: %s is running", exc.who)
        return []
    for run_id in ids:
        log.warning("crawl run %d was interrupted (its process is gone): marked killed", run_id)
    return ids
