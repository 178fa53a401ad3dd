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
from portalwatch.commands.crawl import report
from portalwatch.commands.digest import describe, exit_for, report_failure, retried_lines
from portalwatch.config import Config
from portalwatch.outcomes import Exit, RunStatus
from portalwatch.storage import Store, utcnow
from reports.digest import due_subscriptions, last_sent_at, resend_stored, run_digest
from scheduler.recovery import mark_killed_runs

log = logging.getLogger(__name__)

EXIT_KILLED = Exit.KILLED
WATCHDOG_GRACE = 60.0  # seconds past the crawl's own time limit before the watchdog ends the process


def run(config: Config, args: argparse.Namespace) -> int:
    store = Store(config.database)
    with watchdog(store, config.crawl.time_limit_minutes * 60 + WATCHDOG_GRACE):
        summary = run_crawl(config, trigger="run-once")  # runs left `running` by a dead process: interrupted
    crawl_code = report(config, summary, "run-once")
    if summary.status == RunStatus.INTERRUPTED:
        return crawl_code
    digest_code = send_digest_if_due(config, store, force=args.force_digest)
    return crawl_code or digest_code


def send_digest_if_due(config: Config, store: Store, *, force: bool) -> int:
    """Mail each subscription's digest that is due (a week since its last one, or its own schedule came round;
    every one with `force`); the exit code.

    A stored message that some reader does not have yet is sent again at every run, due or not.
    """
    subs = config.all_subscriptions() or [None]
    due = subs if force else due_subscriptions(config, store, utcnow())
    if not due:
        if store.undelivered_messages():
            return _resend(config)
        last = last_sent_at(store)
        print(f"digest not due: the last one was sent {last:%Y-%m-%d %H:%M} UTC" if last
              else "digest not due: nothing is waiting for one")
        return 0
    code = 0
    for sub in due:
        outcome = run_digest(config, subscription=sub.name if sub else None)
        who = f" [{outcome.subscription}]" if len(subs) > 1 else ""
        for line in retried_lines(outcome):
            print(line)
        if outcome.status in ("failed", "busy"):
            report_failure(f"run-once{who}", outcome)
            code = max(code, exit_for(outcome))
        elif outcome.status == "sent":
            print(f"digest{who} sent to {', '.join(outcome.recipients)}: {describe(outcome)}")
        elif outcome.status == "resent":
            print("nothing new since the last digest; stored messages were sent again")
        else:
            print(f"digest{who} due, but nothing new since the last one: no mail sent")
    return code


def _resend(config: Config) -> int:
    outcome = resend_stored(config)
    for line in retried_lines(outcome):
        print(line)
    if outcome.status in ("failed", "busy"):
        report_failure("run-once", outcome)
        return exit_for(outcome)
    print("digest not due; stored messages were sent again")
    return 0


@contextmanager
def watchdog(store: Store, limit: float) -> Iterator[None]:
    """End the process if the block outlives `limit` s, marking the crawl run killed (the lock is held)."""
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
