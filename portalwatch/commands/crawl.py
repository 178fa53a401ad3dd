"""`portalwatch crawl [--portal NAME ...]`: fetch what is new, then print a health line per portal."""

from __future__ import annotations

import argparse
import sys

from crawler.runner import CrawlSummary, run_crawl
from portalwatch.config import Config, ConfigError

EXIT_BAD_PORTAL = 2
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
    print(table(summary))
    print(f"run {summary.run_id}: {summary.status}")
    if summary.failed:
        print(f"portalwatch: crawl: failed or blocked: {', '.join(summary.failed)}", file=sys.stderr)
        return 1
    return 0
