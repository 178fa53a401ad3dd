"""Crawl runs whose process died: a `running` row nobody is running any more becomes `killed`."""

from __future__ import annotations

import logging

from portalwatch.config import Config
from portalwatch.lock import LockBusy, exclusive
from portalwatch.outcomes import RunStatus
from portalwatch.storage import Store

log = logging.getLogger(__name__)


def mark_killed_runs(store: Store, status: RunStatus = RunStatus.KILLED) -> list[int]:
    """Mark every `running` crawl run `status`; the caller holds the portalwatch lock, so none is alive."""
    return store.close_orphan_runs(status)


def record_killed_runs(config: Config, command: str, wait: float,
                       status: RunStatus = RunStatus.KILLED) -> list[int]:
    """Take the lock (waiting up to `wait` s) and mark orphaned runs `status`; [] when the lock stays busy."""
    try:
        with exclusive(config, command, wait=wait):
            ids = mark_killed_runs(Store(config.database), status)
    except LockBusy as exc:
        log.info("not checking for interrupted crawl runs now: %s is running", exc.who)
        return []
    for run_id in ids:
        log.warning("crawl run %d ended without recording it (its process is gone): marked %s", run_id, status)
    return ids
