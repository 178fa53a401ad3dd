"""Crawls of the fixture sites for tests: a config pointing at them, the crawl command run in a fresh process
and what it stored read back, and the same sites crawled at version 1 then at version 2."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import testdb
import yaml
from sqlalchemy import select

from portalwatch.fixture_sites import FixtureSites
from portalwatch.storage import Store, articles, crawl_errors, crawl_runs, portal_runs, revisions

REPO = Path(__file__).resolve().parent.parent


@dataclass
class Crawl:
    """What one `portalwatch crawl` printed and stored."""

    returncode: int
    stdout: str
    stderr: str
    run: dict
    portals: dict[str, dict]
    errors: list[dict]
    articles: dict[str, dict]
    revised_urls: set[str]
    requests: list


def write_config(folder: Path, portals: list[dict], crawl: dict, **sections: object) -> Path:
    """config.yaml in `folder`: its own database there, the repository's seeds, `crawl` settings, `portals`."""
    config = {
        "database": testdb.database_for(folder),
        "seeds_dir": str(REPO / "seeds"),
        "crawl": crawl,
        **sections,
        "portals": portals,
    }
    path = folder / "config.yaml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return path


def crawl(config: Path, sites: FixtureSites, *args: str) -> Crawl:
    """Run the crawl command in a fresh process and read back what it stored for its run."""
    sites.clear_requests()
    done = subprocess.run(
        [sys.executable, "-m", "portalwatch", "-c", str(config), "crawl", *args],
        capture_output=True, text=True, timeout=240, cwd=config.parent,
    )
    store = Store(testdb.database_for(config.parent))
    with store.engine.connect() as conn:
        run = dict(conn.execute(select(crawl_runs).order_by(crawl_runs.c.id.desc())).mappings().first())
        rows = conn.execute(select(portal_runs).where(portal_runs.c.run_id == run["id"])).mappings()
        errors = conn.execute(select(crawl_errors).where(crawl_errors.c.run_id == run["id"])).mappings()
        stored = {row["url"]: dict(row) for row in conn.execute(select(articles)).mappings()}
        changed = conn.execute(
            select(articles.c.url).join(revisions, revisions.c.article_id == articles.c.id)
            .where(revisions.c.seen_at >= run["started_at"])
        ).scalars()
        result = Crawl(done.returncode, done.stdout, done.stderr, run, {r["portal"]: dict(r) for r in rows},
                       [dict(e) for e in errors], stored, set(changed), list(sites.requests))
    store.engine.dispose()
    return result


@dataclass
class Versions:
    """The sites crawled at version 1, then at version 2, with what each named site holds and changed."""

    sites: FixtureSites
    first: Crawl
    second: Crawl
    expected_v1: dict[str, list]
    revised: dict[str, list[str]]
    added: dict[str, list[str]]


def crawl_versions(config: Path, sites: FixtureSites, names: list[str]) -> Versions:
    """Crawl `sites` at version 1, switch them to version 2 and crawl again (they stay at version 2)."""
    expected_v1 = {name: sites.expected(name) for name in names}
    first = crawl(config, sites)
    sites.set_version(2)
    second = crawl(config, sites)
    return Versions(sites, first, second, expected_v1, {n: sites.revised(n) for n in names},
                    {n: sites.added(n) for n in names})
