"""`portalwatch demo`: the offline demo on bundled sample portals."""

from __future__ import annotations

import argparse
import sys

from portalwatch.config import Config
from portalwatch.demo import run_demo, summary


def run(config: Config, args: argparse.Namespace) -> int:
    result = run_demo(args.dir.resolve(), seeds_dir=config.seeds_dir)
    print(summary(result))
    failed = [week for week in result.weeks if week.status == "failed"]
    for week in failed:
        print(f"portalwatch: demo: a digest failed: {week.error}", file=sys.stderr)
    return 1 if failed or not result.digest_file.exists() else 0
