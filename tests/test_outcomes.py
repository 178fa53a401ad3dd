"""Never say ok when work was lost: broken seeds and selectors stop a crawl before it fetches anything, a portal
whose articles cannot be stored is partial, Ctrl-C and SIGTERM are `interrupted`; what was missed comes next time."""

from __future__ import annotations

import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from sqlalchemy import select

from portalwatch.fixture_sites import FixtureSites
from portalwatch.storage import Store, articles, crawl_runs, frontier, portal_runs

REPO = Path(__file__).resolve().parent.parent


def write_config(folder: Path, portals: list[dict], seeds: Path | str = REPO / "seeds", **crawl: object) -> Path:
    config = {
        "database": "sqlite:///portalwatch.db",
        "seeds_dir": str(seeds),
        "crawl": {"download_delay": 0, "concurrency": 16, "timeout": 5, **crawl},
        "portals": portals,
    }
    path = folder / "config.yaml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return path


def crawl(config: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "portalwatch", "-c", str(config), "crawl", *args],
                          capture_output=True, text=True, timeout=180, cwd=config.parent)


def db(config: Path) -> Path:
    return config.parent / "portalwatch.db"


def stored_urls(config: Path) -> set[str]:
    if not db(config).exists():
        return set()
    store = Store(f"sqlite:///{db(config)}")
    with store.engine.connect() as conn:
        urls = list(conn.execute(select(articles.c.url)).scalars())
    store.engine.dispose()
    assert len(urls) == len(set(urls))
    return set(urls)


def runs(config: Path) -> list[tuple[str, dict[str, str]]]:
    """(run status, {portal: status}) of every run, oldest first."""
    store = Store(f"sqlite:///{db(config)}")
    with store.engine.connect() as conn:
        found = []
        for run in conn.execute(select(crawl_runs).order_by(crawl_runs.c.id)).mappings():
            rows = conn.execute(select(portal_runs).where(portal_runs.c.run_id == run["id"])).mappings()
            found.append((run["status"], {row["portal"]: row["status"] for row in rows}))
    store.engine.dispose()
    return found


def one_line(text: str) -> str:
    lines = [line for line in text.splitlines() if line.strip()]
    assert len(lines) == 1, text
    return lines[0]


def portal(sites: FixtureSites, name: str, **extra: object) -> dict:
    return {**next(p for p in sites.portals() if p["name"] == name), **extra}


@pytest.fixture(scope="module")
def sites():
    with FixtureSites() as running:
        yield running


@pytest.mark.parametrize("breakage", ["missing folder", "binary file"])
def test_a_broken_seed_corpus_fetches_nothing_and_exits_2_then_the_next_crawl_stores_everything(
    sites: FixtureSites, tmp_path: Path, breakage: str
) -> None:
    seeds = tmp_path / "seeds"
    if breakage == "binary file":
        seeds.mkdir()
        for path in (REPO / "seeds").iterdir():
            (seeds / path.name).write_bytes(path.read_bytes())
        (seeds / "scan.txt").write_bytes(bytes(range(128, 256)) * 40)  # neither UTF-8 nor GB18030
    config = write_config(tmp_path, [portal(sites, "trs")], seeds=seeds)
    sites.clear_requests()
    done = crawl(config)
    assert done.returncode == 2
    line = one_line(done.stderr)
    assert "seeds_dir" in line and ("scan.txt" in line if breakage == "binary file" else "not found" in line)
    assert done.stdout == "" and sites.requests == [] and stored_urls(config) == set()
    # Fixed: the seeds are back, and nothing of the portal was lost.
    write_config(tmp_path, [portal(sites, "trs")])
    again = crawl(config)
    assert again.returncode == 0, again.stderr[-2000:]
    assert stored_urls(config) == {a.url for a in sites.expected("trs")}


@pytest.mark.parametrize(("field", "expression"), [("list_links", "ul..list li a"), ("body", "//div[@class='x'")])
def test_a_selector_that_does_not_compile_fetches_nothing_and_names_the_portal_and_key(
    sites: FixtureSites, tmp_path: Path, field: str, expression: str
) -> None:
    config = write_config(tmp_path, [portal(sites, "oldqd"), portal(sites, "trs", selectors={field: expression})])
    sites.clear_requests()
    done = crawl(config)
    assert done.returncode == 2
    line = one_line(done.stderr)
    assert f"portals[1].selectors.{field}" in line and "trs" in line and expression in line
    assert sites.requests == [] and stored_urls(config) == set()
    write_config(tmp_path, [portal(sites, "oldqd"), portal(sites, "trs")])
    assert crawl(config).returncode == 0
    assert stored_urls(config) == {a.url for name in ("oldqd", "trs") for a in sites.expected(name)}


def test_a_portal_whose_articles_cannot_be_stored_is_partial_and_they_are_stored_once_the_store_takes_them(
    sites: FixtureSites, tmp_path: Path
) -> None:
    config = write_config(tmp_path, [portal(sites, "hanweb")])
    Store(f"sqlite:///{db(config)}").engine.dispose()  # create the tables
    refuse = 10
    with sqlite3.connect(db(config)) as conn:  # a store that takes ten articles and refuses every further one
        conn.execute(f"""CREATE TRIGGER quota BEFORE INSERT ON articles
                         WHEN (SELECT count(*) FROM articles) >= {refuse}
                         BEGIN SELECT RAISE(ABORT, 'quota reached'); END""")
    done = crawl(config)
    expected = {a.url for a in sites.expected("hanweb")}
    assert done.returncode == 1
    assert runs(config)[-1] == ("partial", {"hanweb": "partial"})
    assert "hanweb (partial)" in done.stderr
    assert len(stored_urls(config)) == refuse
    with sqlite3.connect(db(config)) as conn:
        pending = {row[0] for row in conn.execute("SELECT url FROM frontier WHERE state = 'pending'")}
        conn.execute("DROP TRIGGER quota")
    assert pending == expected - stored_urls(config)  # every refused article is still waiting
    again = crawl(config)
    assert again.returncode == 0, again.stderr[-2000:]
    assert runs(config)[-1] == ("ok", {"hanweb": "ok"})
    assert stored_urls(config) == expected


def _wait_for_articles(config: Path, at_least: int, timeout: float = 60) -> None:
    """Watch the database read-only (never creating anything the crawl is about to create)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with sqlite3.connect(f"file:{db(config)}?mode=ro", uri=True) as conn:
                if conn.execute("SELECT count(*) FROM articles").fetchone()[0] >= at_least:
                    return
        except sqlite3.Error:  # the crawl is still creating the database
            pass
        time.sleep(0.1)
    raise AssertionError(f"no {at_least} articles stored within {timeout} s")


@pytest.mark.parametrize(("signum", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_ctrl_c_or_sigterm_records_interrupted_with_exit_130_or_143_and_the_next_crawl_finishes(
    sites: FixtureSites, tmp_path: Path, signum: int, code: int
) -> None:
    # One request at a time, a little apart: the crawl takes several seconds and is stopped halfway.
    config = write_config(tmp_path, [portal(sites, "hanweb")], download_delay=0.2, concurrency=1)
    victim = subprocess.Popen([sys.executable, "-m", "portalwatch", "-c", str(config), "crawl"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=tmp_path)
    _wait_for_articles(config, 2)
    victim.send_signal(signum)
    out, err = victim.communicate(timeout=60)
    expected = {a.url for a in sites.expected("hanweb")}
    assert victim.returncode == code, err[-2000:]
    assert runs(config) == [("interrupted", {"hanweb": "interrupted"})]
    assert "interrupted" in err and out.rstrip().endswith("interrupted")
    got = stored_urls(config)
    assert 2 <= len(got) < len(expected)
    again = crawl(config)
    assert again.returncode == 0, again.stderr[-2000:]
    assert stored_urls(config) == expected


def test_links_that_keep_failing_stay_pending_and_are_given_up_after_the_configured_attempts(
    sites: FixtureSites, tmp_path: Path
) -> None:
    faulty = portal(sites, "faulty")
    config = write_config(tmp_path, [faulty], timeout=1.5, give_up_attempts=2, give_up_days=0)
    broken = {url for fault, url in sites.faults().items()
              if fault in ("unavailable", "not_found", "empty", "reset")}
    first = crawl(config)
    assert first.returncode == 1 and runs(config)[-1][1] == {"faulty": "partial"}
    second = crawl(config)
    assert second.returncode == 1
    store = Store(f"sqlite:///{db(config)}")
    given_up = {row["url"]: row for row in store.given_up_links()}
    assert broken <= set(given_up)
    assert all(row["attempts"] == 2 and row["last_error"] for url, row in given_up.items() if url in broken)
    with store.engine.connect() as conn:
        assert not set(conn.execute(select(frontier.c.url).where(frontier.c.state == "pending")).scalars())
    third = crawl(config)  # nothing left to try: the portal is ok again
    assert third.returncode == 0, third.stdout + third.stderr[-2000:]
    status = subprocess.run([sys.executable, "-m", "portalwatch", "-c", str(config), "status"],
                            capture_output=True, text=True, timeout=60)
    assert f"Given up: {len(given_up)} links" in status.stdout


def test_pending_links_obey_robots_txt_and_a_forbidden_one_is_given_up_at_once(
    sites: FixtureSites, tmp_path: Path
) -> None:
    config = write_config(tmp_path, [portal(sites, "hanweb")])
    base = sites.base_urls["hanweb"]
    robots = subprocess.run([sys.executable, "-c", f"import urllib.request; print(urllib.request.urlopen("
                             f"'{base}/robots.txt').read().decode())"], capture_output=True, text=True).stdout
    forbidden = next(line.split()[1] for line in robots.splitlines() if line.startswith("Disallow:"))
    listed = [a.url for a in sites.expected("hanweb")]
    trap = f"{base}{forbidden}art_1_1.html"
    middle = len(listed) // 2  # neither the first request to the host nor the last
    Store(f"sqlite:///{db(config)}").add_pending("hanweb", [*listed[:middle], trap, *listed[middle:]])
    sites.clear_requests()
    done = crawl(config)
    assert done.returncode == 0, done.stderr[-2000:]
    assert not [r for r in sites.requests if r.site == "hanweb" and r.path.startswith(forbidden)]
    assert stored_urls(config) == set(listed)
    given_up = {row["url"]: row["last_error"] for row in Store(f"sqlite:///{db(config)}").given_up_links()}
    assert given_up[trap].startswith("robots")


def test_a_crawl_on_a_terminal_shows_progress_per_portal(sites: FixtureSites, tmp_path: Path) -> None:
    import os
    import pty

    config = write_config(tmp_path, [portal(sites, "hanweb")], download_delay=0.1, concurrency=1)
    leader, follower = pty.openpty()
    crawler = subprocess.Popen([sys.executable, "-m", "portalwatch", "-c", str(config), "crawl"],
                               stdout=subprocess.PIPE, stderr=follower, text=True, cwd=tmp_path)
    os.close(follower)
    shown = b""
    while True:  # read as it comes: a full terminal buffer would stall the crawl
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the crawl closed the terminal
            break
        if not chunk:
            break
        shown += chunk
    os.close(leader)
    out = crawler.stdout.read()
    crawler.wait(timeout=60)
    assert crawler.returncode == 0
    assert re.search(r"crawling: hanweb \d+ pages \d+ articles 0 errors", shown.decode("utf-8", "replace"))
    assert "crawling:" not in out  # the summary on standard output stays clean for cron and pipes
