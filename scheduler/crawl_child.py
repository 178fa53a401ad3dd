"""`python -m scheduler.crawl_child CONFIG`: the daemon's crawl in its own process, recorded as trigger "daemon".

Like `portalwatch crawl` (same lock, table and exit codes: 0 ok, 1 a portal failed, 2 config error, 75 busy),
so `portalwatch status` can tell scheduled runs from manual ones.
"""

from __future__ import annotations

import logging
import sys

from crawler.runner import run_crawl
from portalwatch.commands.crawl import table
from portalwatch.config import ConfigError, load_config
from portalwatch.lock import LockBusy, report_busy

EXIT_CONFIG = 2


def main(argv: list[str]) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        summary = run_crawl(load_config(argv[0]), trigger="daemon")
    except LockBusy as exc:
        return report_busy(exc)
    except ConfigError as exc:
        print(f"portalwatch: crawl: config error: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    print(table(summary))
    print(f"run {summary.run_id}: {summary.status}")
    if summary.failed:
        print(f"portalwatch: crawl: failed or blocked: {', '.join(summary.failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
