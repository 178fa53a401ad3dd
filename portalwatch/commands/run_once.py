"""`portalwatch run-once`: crawl, then mail the digest if one is due. The command for crontab.

The CLI holds the portalwatch lock around the whole command, so the due check and the sending cannot race
another run-once. The crawl runs in this process (one Twisted reactor per process is all it needs); a
watchdog ends the process if the crawl outlives `crawl.time_limit_minutes`, recording the run as killed.
"""

from __future__ import annotations

import argparse
import logging
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from crawler.runner import run_crawl
from portalwatch.config import Config
from portalwatch.storage import Store, utcnow
from reports.digest import digest_due, last_sent_at, run_digest
from scheduler.recovery import mark_killed_runs

log = logging.getLogger(__name__)

EXIT_KILLED = 3
WATCHDOG_GRACE = 60.0  # seconds past the crawl's own time limit before the watchdog ends the process


def run(config: Config, args: argparse.Namespace) -> int:
    store = Store(config.database)
    for run_id in mark_killed_runs(store):
        log.warning("crawl run %d was interrupted earlier (its process is gone): marked killed", run_id)
    with watchdog(config, store):
        crawl_code = run_crawl(config, trigger="run-once").exit_code
    digest_code = send_digest_if_due(config, store, force=args.force_digest)
    return crawl_code or digest_code


def send_digest_if_due(config: Config, store: Store, *, force: bool) -> int:
    """Mail the digest when a week has passed since the last one (or `force`); the exit code."""
    now = utcnow()
    if not force and not digest_due(store, now):
        log.info("digest not due: the last one was sent %s", last_sent_at(store))
        return 0
    outcome = run_digest(config)
    return outcome.exit_code


@contextmanager
def watchdog(config: Config, store: Store) -> Iterator[None]:
    """End the process if the block outlives `crawl.time_limit_minutes` plus a grace, marking the run killed."""
    limit = config.crawl.time_limit_minutes * 60 + WATCHDOG_GRACE
    timer = threading.Timer(limit, _stop_stuck_crawl, args=(store, limit))
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        timer.cancel()


def _stop_stuck_crawl(store: Store, limit: float) -> None:
    ids = mark_killed_runs(store)
    log.error("crawl ran past its time limit of %g s: stopping (run %s recorded as killed)",
              limit, ", ".join(map(str, ids)) or "-")
    logging.shutdown()
    os._exit(EXIT_KILLED)
