"""The crawl as users start it: `portalwatch crawl` exit codes and `scrapy crawl portal` from the repository."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import testdb
import yaml
from sqlalchemy import select

from portalwatch.fixture_sites import FixtureSites
from portalwatch.storage import Store, articles, crawl_errors, crawl_runs, portal_runs

REPO = Path(__file__).resolve().parent.parent


def write_config(folder: Path, portals: list[dict]) -> Path:
    config = {
        "database": testdb.database_for(folder),
        "seeds_dir": str(REPO / "seeds"),
        "crawl": {"download_delay": 0, "concurrency": 16, "timeout": 3},
        "portals": portals,
    }
    path = folder / "config.yaml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return path


def portalwatch(config: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "portalwatch", "-c", str(config), *args],
                          capture_output=True, text=True, timeout=120, cwd=config.parent)


def closed_port() -> int:
    """A loopback port nobody listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_an_unknown_portal_name_is_refused_with_the_known_names_and_exit_2(tmp_path: Path) -> None:
    config = write_config(tmp_path, [{"name": "laoshan", "start_urls": ["http://127.0.0.1:9/"]}])
    done = portalwatch(config, "crawl", "--portal", "laoshan", "--portal", "no-such-portal")
    assert done.returncode == 2
    assert "no-such-portal" in done.stderr and "laoshan" in done.stderr
    assert not Store(testdb.database_for(tmp_path)).count_articles()


def test_portals_that_cannot_be_fetched_or_parsed_fail_alone_are_named_and_the_exit_code_is_1(
    tmp_path: Path,
) -> None:
    with FixtureSites() as sites:
        trs = next(p for p in sites.portals() if p["name"] == "trs")
        dead = {"name": "dead", "start_urls": [f"http://127.0.0.1:{closed_port()}/xwzx/"]}
        # The faulty site's second list page after a template change: the configured selector finds nothing.
        changed = {"name": "changed", "start_urls": [sites.base_urls["faulty"] + "/xwzx/qxyw/index_1.shtml"],
                   "selectors": {"list_links": "ul.list_ul li a"}}
        config = write_config(tmp_path, [dead, changed, trs])
        done = portalwatch(config, "crawl")
        expected = {a.url for a in sites.expected("trs")}
    assert done.returncode == 1
    assert "failed, blocked or partial: dead (failed), changed (failed)" in done.stderr
    lines = {line.split()[0]: line.split()[1] for line in done.stdout.splitlines()[1:] if line.strip()}
    assert (lines["dead"], lines["changed"], lines["trs"]) == ("failed", "failed", "ok")
    store = Store(testdb.database_for(tmp_path))
    with store.engine.connect() as conn:
        run = conn.execute(select(crawl_runs)).mappings().one()
        rows = {r["portal"]: r for r in conn.execute(select(portal_runs)).mappings()}
        errors = {(e["portal"], e["reason"], e["url"]) for e in conn.execute(select(crawl_errors)).mappings()
                  if e["reason"] != "robots"}
        stored = set(conn.execute(select(articles.c.url)).scalars())
    assert run["status"] == "partial" and run["trigger"] == "cli"
    assert rows["dead"]["status"] == "failed" and "connection" in rows["dead"]["message"]
    assert rows["changed"]["status"] == "failed" and "no article links" in rows["changed"]["message"]
    assert errors == {("dead", "connection", dead["start_urls"][0]), ("changed", "parse", changed["start_urls"][0])}
    assert stored == expected


def test_scrapy_crawl_portal_works_from_the_repository_root(tmp_path: Path) -> None:
    with FixtureSites() as sites:
        config = write_config(tmp_path, sites.portals())
        done = subprocess.run(
            [sys.executable, "-m", "scrapy", "crawl", "portal", "-a", "portal=oldqd", "-a", f"config={config}"],
            capture_output=True, text=True, timeout=120, cwd=REPO,
        )
        expected = {a.url: a.title for a in sites.expected("oldqd")}
    assert done.returncode == 0, done.stderr[-2000:]
    store = Store(testdb.database_for(tmp_path))
    with store.engine.connect() as conn:
        run = conn.execute(select(crawl_runs)).mappings().one()
        rows = list(conn.execute(select(portal_runs)).mappings())
        stored = {r.url: r.title for r in conn.execute(select(articles.c.url, articles.c.title))}
    assert (run["trigger"], run["status"]) == ("scrapy", "ok")
    assert [(r["portal"], r["status"]) for r in rows] == [("oldqd", "ok")]
    assert stored == expected
