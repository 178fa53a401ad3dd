"""Two installs crawling one database, started together ROUNDS times: errors, overlaps, articles stored once.

Each install has its own folder (config, data folder, lock file); they share only the database, as two
machines would. The fixture sites switch to their second version (articles added and revised) halfway. The
peer, in the same run, is one install crawling alone as many times.

    python bench/shared_database.py [DATABASE_URL] [ROUNDS]   # default: a SQLite file, 10 rounds
"""

from __future__ import annotations

import itertools
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml
from sqlalchemy import func, select

from portalwatch.fixture_sites import FixtureSites
from portalwatch.storage import Store, articles, crawl_errors, crawl_runs

REPO = Path(__file__).resolve().parent.parent
PORTALS = ("trs", "park")


def install(folder: Path, database: str, sites: FixtureSites) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    config = {
        "database": database, "seeds_dir": str(REPO / "seeds"),
        "crawl": {"download_delay": 0, "obey_robots": False},
        "schedule": {"lock_wait_seconds": 300},
        "portals": [p for p in sites.portals() if p["name"] in PORTALS],
    }
    path = folder / "config.yaml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return path


def crawl_rounds(configs: list[Path], sites: FixtureSites, rounds: int) -> tuple[int, float]:
    """Run every config's crawl at once, `rounds` times; (failed processes, seconds)."""
    failed, started = 0, time.perf_counter()
    for n in range(rounds):
        sites.set_version(1 if n < rounds // 2 else 2)
        processes = [subprocess.Popen([sys.executable, "-m", "portalwatch", "-c", str(c), "crawl"], cwd=REPO,
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for c in configs]
        failed += sum(1 for p in processes if p.wait(timeout=600) != 0)
    return failed, time.perf_counter() - started


def report(label: str, database: str, failed: int, seconds: float, rounds: int, runs_each: int) -> None:
    store = Store(database)
    with store.engine.connect() as conn:
        total, distinct = conn.execute(select(func.count(), func.count(articles.c.url.distinct()))).one()
        errors = conn.execute(select(func.count()).select_from(crawl_errors)).scalar_one()
        runs = conn.execute(select(crawl_runs.c.started_at, crawl_runs.c.finished_at, crawl_runs.c.status)
                            .order_by(crawl_runs.c.started_at)).all()
    overlaps = sum(1 for a, b in itertools.pairwise(runs) if a.finished_at > b.started_at)
    not_ok = sum(1 for r in runs if r.status != "ok")
    print(f"{label}: {rounds} rounds x {runs_each} crawls in {seconds:.0f} s: {failed} failed processes, "
          f"{len(runs)} runs ({not_ok} not ok), {overlaps} overlaps, {errors} crawl errors, "
          f"{total} articles stored for {distinct} URLs")


def main() -> None:
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 10
    folder = Path(tempfile.mkdtemp(prefix="pw-shared-"))
    shared = sys.argv[1] if len(sys.argv) > 1 and sys.argv[1] != "sqlite" else f"sqlite:///{folder / 'shared.db'}"
    alone = f"sqlite:///{folder / 'alone.db'}"
    with FixtureSites() as sites:
        configs = [install(folder / name, shared, sites) for name in ("east", "west")]
        failed, seconds = crawl_rounds(configs, sites, rounds)
        report("two installs, one database", shared, failed, seconds, rounds, 2)
        failed, seconds = crawl_rounds([install(folder / "alone", alone, sites)], sites, rounds)
        report("peer: one install alone", alone, failed, seconds, rounds, 1)


if __name__ == "__main__":
    main()
