"""Never lose an article: crawls killed with -9 at random moments, then one normal crawl, store everything once."""

from __future__ import annotations

import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

import pytest
import yaml
from sqlalchemy import func, select

from portalwatch.fixture_sites import FixtureSites
from portalwatch.storage import Store, articles, crawl_runs, frontier, portal_runs

REPO = Path(__file__).resolve().parent.parent
# Three site kinds with three ways of paging (TRS index_N pages, Hanweb's POSTed record ranges, a park portal's
# list pages), at the small scale: 40 crawl processes stay within a couple of minutes on two busy cores.
CONTENT_SITES = ["trs", "hanweb", "park"]
KILLS = 20


def write_config(folder: Path, portals: list[dict], **crawl: object) -> Path:
    config = {
        "database": "sqlite:///portalwatch.db",
        "seeds_dir": str(REPO / "seeds"),
        "crawl": {"download_delay": 0, "concurrency": 16, "timeout": 5, **crawl},
        "portals": portals,
    }
    path = folder / "config.yaml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return path


def crawl_argv(config: Path) -> list[str]:
    return [sys.executable, "-m", "portalwatch", "-c", str(config), "crawl"]


def stored(config: Path) -> tuple[list[str], list[str], dict[str, str]]:
    """(stored URLs with repeats, run statuses oldest first, portal statuses of the last run)."""
    store = Store(f"sqlite:///{config.parent / 'portalwatch.db'}")
    with store.engine.connect() as conn:
        urls = list(conn.execute(select(articles.c.url)).scalars())
        runs = [(r.id, r.status) for r in conn.execute(select(crawl_runs).order_by(crawl_runs.c.id))]
        last = conn.execute(select(portal_runs).where(portal_runs.c.run_id == runs[-1][0])).mappings()
        portals = {row["portal"]: row["status"] for row in last}
        pending = conn.execute(select(func.count()).select_from(frontier)
                               .where(frontier.c.state == "pending")).scalar_one()
    store.engine.dispose()
    return urls, [status for _, status in runs], {**portals, "_pending": str(pending)}


def at_work(config: Path, crawl: subprocess.Popen, timeout: float = 120) -> bool:
    """Wait until the crawl has recorded its run, so is at work; False when it ended first."""
    db = config.parent / "portalwatch.db"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if crawl.poll() is not None:
            return False
        if db.exists():
            try:
                with closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1)) as conn:
                    if conn.execute("SELECT count(*) FROM crawl_runs").fetchone()[0]:
                        return True
            except sqlite3.Error:  # the schema is still being created
                pass
        time.sleep(0.02)
    raise AssertionError(f"the crawl did not record its run within {timeout} s")


@pytest.fixture(scope="module")
def sites():
    with FixtureSites() as running:
        yield running


@pytest.mark.long
@pytest.mark.timeout(900)
def test_a_crawl_killed_at_any_moment_loses_nothing_once_one_normal_crawl_follows(
    sites: FixtureSites, tmp_path: Path
) -> None:
    portals = [p for p in sites.portals() if p["name"] in CONTENT_SITES]
    expected = {a.url for name in CONTENT_SITES for a in sites.expected(name)}
    # How long an undisturbed crawl works once it has recorded its run, so that the kills land all over the
    # work however long the start takes (a loaded machine, or other tests beside this one, slow the start most).
    timing = tmp_path / "timing"
    timing.mkdir()
    config = write_config(timing, portals)
    crawl = subprocess.Popen(crawl_argv(config), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    assert at_work(config, crawl)
    started = time.monotonic()
    _, err = crawl.communicate(timeout=120)
    work = time.monotonic() - started
    assert crawl.returncode == 0, err[-2000:]
    assert set(stored(config)[0]) == expected

    rng = random.Random(11)
    moments = sorted(rng.uniform(0, work) for _ in range(KILLS))
    lost = {}
    interrupted = 0
    for i, moment in enumerate(moments):
        folder = tmp_path / f"kill{i:02d}"
        folder.mkdir()
        config = write_config(folder, portals)
        while True:  # a crawl that finished before its moment (the machine got faster) is run again, killed sooner
            victim = subprocess.Popen(crawl_argv(config), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            if at_work(config, victim):
                time.sleep(moment)
                if victim.poll() is None:
                    break
            victim.wait(timeout=30)
            shutil.rmtree(folder)
            folder.mkdir()
            config = write_config(folder, portals)
            moment *= 0.7
        os.kill(victim.pid, signal.SIGKILL)
        victim.wait(timeout=30)
        after = subprocess.run(crawl_argv(config), capture_output=True, text=True, timeout=120)
        urls, runs, portal_status = stored(config)
        missing = expected - set(urls)
        if missing or len(urls) != len(set(urls)):
            lost[f"kill at {moment:.2f} s"] = (len(missing), len(urls) - len(set(urls)), after.stderr[-500:])
            continue
        # The killed run is interrupted (or `ok` when the kill came after it had recorded its end, while the
        # process was exiting); the normal one ends the work.
        assert runs[:-1] in (["interrupted"], ["ok"]), (moment, runs)
        interrupted += runs[:-1] == ["interrupted"]
        assert runs[-1] == "ok" and after.returncode == 0, (moment, runs, after.stderr[-1000:])
        assert portal_status == {**dict.fromkeys(CONTENT_SITES, "ok"), "_pending": "0"}, moment
    assert not lost, lost
    assert interrupted >= KILLS // 2  # most kills landed while the crawl was at work
