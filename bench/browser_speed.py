"""Browser cost: pages/second and peak memory of portals crawled through headless Chromium beside a plain one.

Four crawls in one run, each of one fixture portal in a fresh process: `trs` over plain HTTP; the same
markup behind a 412 JavaScript challenge (`cookie412`: the cookie is earned in the browser, then plain
HTTP); a list built by script (`scripted`, `render: list`); and the same portal with `render: all`.
Peak memory is the crawl process and all its children (Playwright's driver, Chromium), summed as PSS,
sampled every 0.1 s from outside; beside it, the peak the crawl's own browser read of its processes (sampled
every 2 s, the figure its memory cap is held to). Usage: python bench/browser_speed.py [--scale 10]
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

from crawler.browser import browser_available, tree_memory_mb
from portalwatch.fixture_sites import FixtureSites
from portalwatch.storage import Store, crawl_runs, portal_runs

REPO = Path(__file__).resolve().parent.parent
CRAWLS = (("trs", None, "plain HTTP"), ("cookie412", None, "412 challenge, then plain"),
          ("scripted", "list", "render: list"), ("scripted", "all", "render: all"))


def write_config(folder: Path, portal: dict) -> Path:
    config = {
        "database": "sqlite:///portalwatch.db",
        "seeds_dir": str(REPO / "seeds"),
        "crawl": {"download_delay": 0, "concurrency": 8, "timeout": 30, "max_pages": 1000},
        "portals": [portal],
    }
    path = folder / "config.yaml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return path


def crawl(folder: Path, sites: FixtureSites, name: str, render: str | None, label: str) -> dict:
    """One portal crawled in a fresh process into a fresh store; its figures and peak memory."""
    work = folder / label.replace(" ", "-").replace(":", "")
    work.mkdir()
    portal = next(p for p in sites.portals(browser=True) if p["name"] == name)
    if render:
        portal["render"] = render
    config = write_config(work, portal)
    sites.clear_requests()
    child = subprocess.Popen([sys.executable, "-m", "portalwatch", "-c", str(config), "crawl"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=work)
    peak = 0.0
    while child.poll() is None:
        peak = max(peak, tree_memory_mb(child.pid))
        time.sleep(0.1)
    out, err = child.communicate()
    if child.returncode != 0:
        sys.exit(f"{label}: crawl failed ({child.returncode}):\n{out}\n{err[-3000:]}")
    store = Store(f"sqlite:///{work / 'portalwatch.db'}")
    with store.engine.connect() as conn:
        run = conn.execute(select(crawl_runs).order_by(crawl_runs.c.id.desc())).mappings().first()
        row = conn.execute(select(portal_runs).where(portal_runs.c.run_id == run["id"])).mappings().first()
    store.engine.dispose()
    seconds = (run["finished_at"] - run["started_at"]).total_seconds()
    own = re.search(r"browser closed \(peak (\d+) MiB\)", err)
    answered = [r for r in sites.requests if r.site == name]
    by_browser = sum(1 for r in answered if r.browser)
    return {"label": label, "articles": row["new"] + row["duplicate"], "requests": len(answered),
            "seconds": seconds, "pages_per_second": len(answered) / seconds,
            "plain_share": 1 - by_browser / len(answered), "peak_mb": peak,
            "browser_mb": own[1] if own else "-"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=10, help="fixture-site scale (10: about 300 articles a portal)")
    args = parser.parse_args()
    missing = browser_available()
    if missing:
        sys.exit(f"no headless browser here: {missing}")
    with tempfile.TemporaryDirectory() as folder, FixtureSites(scale=args.scale, process=True) as sites:
        figures = [crawl(Path(folder), sites, *spec) for spec in CRAWLS]
    print(f"fixture sites at scale {args.scale}; one portal per crawl, concurrency 8, no download delay")
    print(f"{'crawl':<28} {'articles':>8} {'requests':>8} {'seconds':>8} {'pages/s':>8} {'plain':>6} {'peak MiB':>9} "
          f"{'browser MiB':>11}")
    for f in figures:
        print(f"{f['label']:<28} {f['articles']:>8} {f['requests']:>8} {f['seconds']:>8.1f} "
              f"{f['pages_per_second']:>8.1f} {f['plain_share']:>6.0%} {f['peak_mb']:>9.0f} {f['browser_mb']:>11}")
    print("seconds: from the run's start to its end in the store (process start-up excluded); requests and the "
          "plain-HTTP share as the fixture server saw them; peak: crawl process and its children, PSS; browser: "
          "the peak the crawl's browser read of its own processes (no browser: -)")


if __name__ == "__main__":
    main()
