"""`portalwatch crawl [--portal NAME ...]`: fetch what is new, then print a health line per portal."""

from __future__ import annotations

import argparse
import sys

from crawler.runner import CrawlSummary, run_crawl
from portalwatch.config import Config, ConfigError
from portalwatch.outcomes import Exit, RunStatus
from portalwatch.storage import Store
from reports.alerts import after_run

EXIT_BAD_PORTAL = Exit.CONFIG
COLUMNS = (
    ("list_pages", "lists"), ("articles_fetched", "fetched"), ("not_modified", "304"), ("new", "new"),
    ("duplicate", "dup"), ("revised", "revised"), ("unchanged", "same"), ("errors", "errors"),
)


def table(summary: CrawlSummary) -> str:
    """The per-portal summary as a fixed-width table."""
    width = max([len("portal"), *(len(row.portal) for row in summary.portals)])
    head = f"{'portal':<{width}}  {'status':<7}" + "".join(f"  {label:>7}" for _, label in COLUMNS) + "  message"
    lines = [head]
    for row in summary.portals:
        counts = "".join(f"  {row.counts.get(key, 0):>7}" for key, _ in COLUMNS)
        lines.append(f"{row.portal:<{width}}  {row.status:<7}{counts}  {row.message or ''}".rstrip())
    return "\n".join(lines)


def run(config: Config, args: argparse.Namespace) -> int:
    try:
        summary = run_crawl(config, args.portal, trigger=args.trigger)
    except ConfigError as exc:
        print(f"portalwatch: crawl: {exc.message if exc.key == 'portals' else exc}", file=sys.stderr)
        return EXIT_BAD_PORTAL
    return report(config, summary, "crawl")


def report(config: Config, summary: CrawlSummary, command: str) -> int:
    """Print the summary, send the alerts it calls for, and return the crawl's exit code."""
    print(table(summary))
    print(f"run {summary.run_id}: {summary.status}")
    if summary.status == RunStatus.INTERRUPTED:
        print(f"portalwatch: {command}: interrupted; the next crawl fetches what is left", file=sys.stderr)
    elif summary.failed:
        problems = ", ".join(f"{row.portal} ({row.status})" for row in summary.portals if row.portal in summary.failed)
        print(f"portalwatch: {command}: failed, blocked or partial: {problems}", file=sys.stderr)
    alerts = after_run(config, Store(config.database), summary.run_id)
    for subject in alerts.sent:
        print(f"alert sent: {subject}")
    for error in alerts.errors:
        print(f"portalwatch: {command}: {error}", file=sys.stderr)
    return summary.exit_code
