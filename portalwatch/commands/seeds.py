"""`portalwatch seeds`: list the articles of the seed corpus."""

from __future__ import annotations

import argparse
import sys

from portalwatch.config import Config
from portalwatch.seeds import SeedError, load_seeds


def run(config: Config, args: argparse.Namespace) -> int:
    try:
        seeds = load_seeds(config.seeds_dir)
    except SeedError as exc:
        print(f"portalwatch: seeds: {exc}", file=sys.stderr)
        return 1
    width = max((len(s.id) for s in seeds), default=2)
    print(f"{'id':<{width}}  {'date':<10}  {'chars':>6}  title")
    for seed in seeds:
        published = seed.published.isoformat() if seed.published else "-"
        print(f"{seed.id:<{width}}  {published:<10}  {len(seed.text):>6}  {seed.title}")
    print(f"{len(seeds)} articles in {len({s.source_file for s in seeds})} files of {config.seeds_dir.name}/")
    return 0
