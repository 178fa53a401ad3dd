"""`portalwatch demo`: the offline demo on bundled sample portals."""

from __future__ import annotations

import argparse
import sys

from portalwatch.config import Config
from portalwatch.demo import run_demo, summary


def run(config: Config, args: argparse.Namespace) -> int:
    result = run_demo(args.dir.resolve(), seeds_dir=config.seeds_dir)
    print(summary(result))
    if result.digest.status == "failed":
        print(f"portalwatch: demo: the digest could not be written: {result.digest.error}", file=sys.stderr)
        return 1
    return 0
