"""Crawl speed: the fixture sites scaled to a few thousand articles, then a re-crawl where nothing changed.

Prints pages/second and requests per new article for both crawls, beside the pages/second of
`scrapy bench` run on this machine by this script. Usage: python bench/crawl_speed.py [--scale 20]
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml
from sqlalchemy import select

from portalwatch.fixture_sites import FixtureSites
from portalwatch.storage import Store, crawl_runs, portal_runs

REPO = Path(__file__).resolve().parent.parent
KINDS = ("trs", "hanweb", "oldqd", "news", "park", "generic")


def write_config(folder: Path, sites: FixtureSites) -> Path:
    config = {
        "database": "sqlite:///portalwatch.db",
        "seeds_dir": str(REPO / "seeds"),
        "crawl": {"download_delay": 0, "concurrency": 16, "timeout": 30, "max_pages": 1000},
        "portals": [p for p in sites.portals() if p["name"] in KINDS],
    }
    path = folder / "config.yaml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return path


def crawl(config: Path, sites: FixtureSites, label: str) -> dict:
    """Run one crawl in a fresh process; its figures from the request log and the store."""
    sites.clear_requests()
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "portalwatch", "-c", str(config), "crawl"],
                          capture_output=True, text=True, cwd=config.parent)
    wall = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"{label}: crawl failed ({done.returncode}):\n{done.stdout}\n{done.stderr[-3000:]}")
    store = Store(f"sqlite:///{config.parent / 'portalwatch.db'}")
    with store.engine.connect() as conn:
        run = conn.execute(select(crawl_runs).order_by(crawl_runs.c.id.desc())).mappings().first()
        rows = list(conn.execute(select(portal_runs).where(portal_runs.c.run_id == run["id"])).mappings())
    store.engine.dispose()
    seconds = (run["finished_at"] - run["started_at"]).total_seconds()
    requests = len(sites.requests)
    new = sum(r["new"] + r["duplicate"] for r in rows)
    return {
        "label": label, "requests": requests, "seconds": seconds, "wall": wall, "new": new,
        "pages_per_second": requests / seconds,
        "not_modified": sum(r["not_modified"] for r in rows),
        "requests_per_new": requests / new if new else None,
    }


def scrapy_bench() -> float:
    """Pages/second of `scrapy bench` (its own local server and spider), outside any project."""
    with tempfile.TemporaryDirectory() as folder:
        done = subprocess.run([sys.executable, "-m", "scrapy", "bench", "-s", "CLOSESPIDER_TIMEOUT=10"],
                              capture_output=True, text=True, cwd=folder)
    log = done.stdout + done.stderr
    count = re.search(r"'response_received_count': (\d+)", log)
    elapsed = re.search(r"'elapsed_time_seconds': ([\d.]+)", log)
    if not (count and elapsed):
        sys.exit(f"cannot read scrapy bench's stats:\n{log[-3000:]}")
    return int(count[1]) / float(elapsed[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=20, help="fixture-site scale (20: about 2,800 articles)")
    args = parser.parse_args()
    reference = scrapy_bench()
    with tempfile.TemporaryDirectory() as folder, FixtureSites(scale=args.scale, process=True) as sites:
        total = sum(len(sites.expected(name)) for name in KINDS)
        config = write_config(Path(folder), sites)
        figures = [crawl(config, sites, "first crawl"), crawl(config, sites, "re-crawl, nothing changed")]
    print(f"fixture sites at scale {args.scale}: {total} articles on {len(KINDS)} sites")
    print(f"{'crawl':<28} {'requests':>8} {'seconds':>8} {'pages/s':>8} {'req/new':>8} {'new':>6} {'304':>6}")
    for f in figures:
        per_new = f"{f['requests_per_new']:.2f}" if f["requests_per_new"] else "n/a"
        print(f"{f['label']:<28} {f['requests']:>8} {f['seconds']:>8.1f} {f['pages_per_second']:>8.1f} "
              f"{per_new:>8} {f['new']:>6} {f['not_modified']:>6}")
    print(f"{'scrapy bench':<28} {'':>8} {'':>8} {reference:>8.1f}")
    ratio = figures[0]["pages_per_second"] / reference
    print(f"first crawl reaches {ratio:.0%} of scrapy bench's pages/s (target: at least 50%)")
    print("seconds: from the run's start to its end in the store (process start-up excluded); "
          f"wall clock with start-up: {figures[0]['wall']:.1f} s and {figures[1]['wall']:.1f} s")


if __name__ == "__main__":
    main()
