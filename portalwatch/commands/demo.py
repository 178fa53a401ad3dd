"""`portalwatch demo`: the offline demo on bundled sample portals."""

from __future__ import annotations

import argparse
import sys

from portalwatch.config import Config
from portalwatch.demo import run_demo, summary
from portalwatch.storage import Store


def run(config: Config, args: argparse.Namespace) -> int:
    result = run_demo(args.dir.resolve(), seeds_dir=config.seeds_dir, database=args.database)
    print(summary(result))
    failed = [week for week in result.weeks if week.status == "failed"]
    for week in failed:
        print(f"portalwatch: demo: a digest failed: {week.error}", file=sys.stderr)
    stored = Store(result.config.database).count_articles()
    if not stored:
        print("portalwatch: demo: no article was stored (see the crawl output above)", file=sys.stderr)
    return 1 if failed or not stored or not result.digest_file.exists() else 0
