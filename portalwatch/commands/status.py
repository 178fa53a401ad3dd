"""`portalwatch status`: last run per portal, next scheduled runs, articles waiting, last digest sent."""

from __future__ import annotations

import argparse
from datetime import datetime
from zoneinfo import ZoneInfo

from portalwatch.config import Config
from portalwatch.lock import current_holder
from portalwatch.states import RunStatus
from portalwatch.storage import Store, utcnow
from reports.collect import as_utc
from reports.subscriptions import next_counts
from scheduler.daemon import DAEMON_LOCK
from scheduler.jobstore import stored_next_runs
from scheduler.triggers import next_fire, schedules

COUNTS = ("list_pages", "articles_fetched", "new", "duplicate", "revised", "errors")
HEADERS = ("portal", "last run", "status", "pages", "fetched", "new", "dup", "revised", "errors", "last error")


def run(config: Config, args: argparse.Namespace) -> int:
    store = Store(config.database)
    zone = ZoneInfo(config.timezone)
    now = utcnow()
    for block in (portal_table(config, store, zone), latest_run(config, store, zone), links(store, zone),
                  next_runs(config, now, zone), waiting(config, store, now), per_subscription(config, store, now),
                  last_digest(store, zone)):
        print("\n".join(block))
        print()
    return 0


def when(moment: datetime | None, zone: ZoneInfo) -> str:
    return as_utc(moment).astimezone(zone).strftime("%Y-%m-%d %H:%M") if moment else "-"


def portal_table(config: Config, store: Store, zone: ZoneInfo) -> list[str]:
    """One line per portal (configured or seen in the store): its latest run, counts and last error."""
    latest = store.latest_portal_runs()
    names = [p.name for p in config.portals] + sorted(set(latest) - {p.name for p in config.portals})
    rows = [HEADERS]
    for name in names:
        row = latest.get(name)
        if row is None:
            rows.append((name, "never", "-", *("" for _ in COUNTS), ""))
            continue
        rows.append((name, when(row["started_at"], zone), row["status"], *(str(row[c]) for c in COUNTS),
                     _last_error(store, row["run_id"], name) or row["message"] or "-"))
    if len(rows) == 1:
        return [f"Portals: none configured in {config.source}"]
    widths = [max(len(r[i]) for r in rows) for i in range(len(HEADERS) - 1)]
    lines = [f"Last run per portal (times in {config.timezone}):"]
    lines += ["  " + "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=False)) + "  " + r[-1] for r in rows]
    return [line.rstrip() for line in lines]


def _last_error(store: Store, run_id: int, portal: str) -> str | None:
    error = store.last_error(run_id, portal)
    if error is None:
        return None
    return " ".join(part for part in (error["reason"], error["url"], (error["detail"] or "")[:80]) if part)


def latest_run(config: Config, store: Store, zone: ZoneInfo) -> list[str]:
    """The newest crawl run; a `running` one is told apart from one whose process died."""
    run = store.latest_run()
    if run is None:
        return ["Last crawl: none yet"]
    status = run["status"]
    if status == RunStatus.RUNNING:
        holder = current_holder(config)
        status = f"running in {holder.describe()}" if holder else "interrupted (its process is gone)"
    ended = f", finished {when(run['finished_at'], zone)}" if run["finished_at"] else ""
    return [f"Last crawl: #{run['id']} {status}, started {when(run['started_at'], zone)}{ended} ({run['trigger']})"]


def links(store: Store, zone: ZoneInfo, shown: int = 20) -> list[str]:
    """Article links waiting to be fetched again, and those given up with their reasons."""
    pending = store.count_pending()
    lines = [f"Pending links: {sum(pending.values())}"
             + (f" ({', '.join(f'{p} {n}' for p, n in sorted(pending.items()))})" if pending else "")]
    given_up = store.given_up_links()
    lines.append(f"Given up: {len(given_up)} links" + (" (newest first)" if given_up else ""))
    for row in given_up[:shown]:
        lines.append(f"  {row['portal']}  {when(row['given_up_at'], zone)}  {row['attempts']} attempts  "
                     f"{row['url']}  {(row['last_error'] or '')[:80]}")
    if len(given_up) > shown:
        lines.append(f"  ... and {len(given_up) - shown} more")
    return lines


def next_runs(config: Config, now: datetime, zone: ZoneInfo) -> list[str]:
    """Next run of each job: from the daemon's job store when it has one, else computed from the config."""
    stored = stored_next_runs(config)
    daemon = current_holder(config, DAEMON_LOCK)
    if stored:
        source = f"daemon running, pid {daemon.pid}" if daemon else "daemon not running; from its job store"
    else:
        source = "no daemon job store yet; computed from the config"
    lines = [f"Next runs ({source}):"]
    for schedule in schedules(config):
        moment = stored.get(schedule.job) if stored else next_fire(schedule, now.astimezone(zone))
        lines.append(f"  {schedule.job:<7} {when(moment, zone) if moment else 'paused'}   ({schedule.spec})")
    return lines


def waiting(config: Config, store: Store, now: datetime) -> list[str]:
    """What the next digest would carry."""
    counts = store.pending_counts(now)
    return [
        f"Waiting for the next digest: {counts['projects']} projects, {counts['policies']} policies, "
        f"{counts['others']} other articles, {counts['revisions']} revised pages, "
        f"{counts['republished']} republished with changed figures ({counts['duplicates']} plain duplicates)"
    ]


def per_subscription(config: Config, store: Store, now: datetime) -> list[str]:
    """What each subscription's next digest would carry, after its filters and its ledger."""
    subs = config.all_subscriptions()
    if not subs:
        return [f"Next digest per subscription: none (no email.to and no subscriptions in {config.source.name})"]
    portals = [p.name for p in config.portals if p.enabled]
    width = max(len(sub.name) for sub in subs)
    lines = ["Next digest per subscription (what its readers get next):"]
    for sub in subs:
        c = next_counts(store, sub, now, portals)
        lines.append(f"  {sub.name.ljust(width)}  {c['projects']} projects, {c['policies']} policies, "
                     f"{c['others']} other articles, {c['revisions']} revised pages, {c['republished']} republished "
                     f"({len(sub.recipients)} recipient(s))")
    return lines


def last_digest(store: Store, zone: ZoneInfo) -> list[str]:
    sent = store.last_sent_digest()
    undelivered = store.undelivered_messages()
    outbox = [f"Not yet at every reader: {len(undelivered)} stored message(s), sent again before anything new "
              f"(see `portalwatch outbox`)"] if undelivered else []
    if sent is None:
        return ["Last digest sent: none yet", *outbox]
    c = sent["counts"] or {}
    carried = (f"{c.get('projects', 0)} projects, {c.get('policies', 0)} policies, {c.get('others', 0)} other, "
               f"{c.get('revisions', 0)} revised")
    return [f"Last digest sent: #{sent['id']} at {when(sent['sent_at'] or sent['created_at'], zone)} ({carried})",
            *outbox]
