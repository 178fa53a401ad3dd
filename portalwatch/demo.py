"""The offline demo: sample portals on 127.0.0.1, two crawls, dedupe against the seeds, a digest file."""

from __future__ import annotations

import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import yaml

from portalwatch.config import Config, load_config
from portalwatch.fixture_sites import FixtureSites
from portalwatch.storage import Store
from reports.digest import DigestOutcome, run_digest

PACKAGED_SEEDS = Path(__file__).resolve().parent.parent / "seeds"
DEMO_SITES = ("trs", "hanweb", "oldqd", "news", "park", "generic", "blocked")


@dataclass
class DemoResult:
    digest: DigestOutcome
    digest_file: Path
    config: Config
    seconds: float


def demo_config(folder: Path, sites: FixtureSites, seeds_dir: Path) -> Path:
    """Write the demo's config.yaml: the sample portals, a database and reports inside `folder`."""
    portals = [p for p in sites.portals() if p["name"] in DEMO_SITES]
    config = {
        "database": "sqlite:///data/portalwatch.db",
        "seeds_dir": str(seeds_dir),
        "crawl": {"download_delay": 0, "concurrency": 8, "timeout": 10, "max_pages": 10},
        "digest": {"reports_dir": "reports", "send_empty": True},
        "portals": portals,
    }
    path = folder / "config.yaml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def crawl(config_path: Path) -> None:
    """One crawl in a child process (Scrapy's reactor runs once per process); it prints its own summary."""
    command = [sys.executable, "-m", "portalwatch", "-c", str(config_path), "crawl"]
    subprocess.run(command, check=False)


def run_demo(folder: Path, seeds_dir: Path | None = None) -> DemoResult:
    """Crawl the sample portals, let some pages change, crawl again and write the digest."""
    started = time.monotonic()
    folder.mkdir(parents=True, exist_ok=True)
    for stale in (folder / "data").glob("*"):
        if stale.is_file():
            stale.unlink()
    seeds = seeds_dir if seeds_dir and seeds_dir.is_dir() else PACKAGED_SEEDS
    with FixtureSites() as sites:
        config_path = demo_config(folder, sites, seeds)
        crawl(config_path)
        sites.set_version(2)
        crawl(config_path)
    config = load_config(config_path)
    digest_file = folder / "digest.html"
    outcome = run_digest(config, dry_run=True, out=digest_file)
    return DemoResult(outcome, digest_file.resolve(), config, time.monotonic() - started)


def summary(result: DemoResult) -> str:
    """What the demo did, in a few lines."""
    store = Store(result.config.database)
    counts = {status: store.count_articles(status=status) for status in ("new", "duplicate", "revised")}
    kinds = {kind: store.count_articles(kind=kind, status="new") for kind in ("project", "policy", "other")}
    return "\n".join([
        f"crawled {len(result.config.portals)} sample portals twice in {result.seconds:.1f} s "
        f"(the second time after some articles were added and revised)",
        f"stored {sum(counts.values())} articles: {counts['new']} new, {counts['duplicate']} duplicates "
        f"of the seeds or of each other, {counts['revised']} revised",
        f"new articles: {kinds['project']} projects, {kinds['policy']} policies, {kinds['other']} other",
        f"digest written to {result.digest_file}",
    ])
