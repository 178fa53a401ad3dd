"""Crawl every fixture site for real (in a subprocess), then crawl again after the sites changed."""

from __future__ import annotations

import re
import subprocess
import sys
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest
import testdb
import yaml
from sqlalchemy import select

from portalwatch.fixture_sites import FixtureSites
from portalwatch.fixture_sites.faulty import FAULTS, LISTED_EMPTY_PDF, RECOVERABLE, fault_path
from portalwatch.fixture_sites.generic import OFFSITE_PATH
from portalwatch.storage import Store, articles, crawl_errors, crawl_runs, portal_runs, revisions

REPO = Path(__file__).resolve().parent.parent
KINDS = ["trs", "hanweb", "oldqd", "news", "park", "generic", "files"]


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


def write_config(folder: Path, portals: list[dict], **crawl: object) -> Path:
    config = {
        "database": testdb.database_for(folder),
        "seeds_dir": str(REPO / "seeds"),
        # The faulty site's slow page answers after 3 s: a 1.5 s timeout makes it a timeout.
        "crawl": {"download_delay": 0, "concurrency": 32, "timeout": 1.5, **crawl},
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
class Crawls:
    sites: FixtureSites
    first: Crawl
    second: Crawl
    third: Crawl
    outside_window: Crawl
    expected_v1: dict[str, list]
    revised: dict[str, list[str]]
    added: dict[str, list[str]]


@pytest.fixture(scope="module")
def crawls(tmp_path_factory: pytest.TempPathFactory):
    """Every site crawled at version 1, at version 2, then the content kinds twice more unchanged."""
    folder = tmp_path_factory.mktemp("crawl")
    with FixtureSites() as sites:
        config = write_config(folder, sites.portals())
        expected_v1 = {name: sites.expected(name) for name in [*KINDS, "faulty"]}
        first = crawl(config, sites)
        sites.set_version(2)
        second = crawl(config, sites)
        only_kinds = [arg for kind in KINDS for arg in ("--portal", kind)]
        third = crawl(config, sites, *only_kinds)
        # The same store with a revisit window of 0 days: every article is now older than the window.
        outside_window = crawl(write_config(folder, sites.portals(), revisit_days=0), sites, *only_kinds)
        yield Crawls(sites, first, second, third, outside_window, expected_v1,
                        {name: sites.revised(name) for name in KINDS}, {name: sites.added(name) for name in KINDS})


def _paths(requests: list, site: str) -> list[str]:
    return [r.path for r in requests if r.site == site]


@pytest.mark.parametrize("kind", KINDS)
def test_first_crawl_stores_every_article_with_its_exact_title_date_text_and_attachments(
    crawls: Crawls, kind: str
) -> None:
    for want in crawls.expected_v1[kind]:
        got = crawls.first.articles.get(want.url)
        assert got is not None, f"{kind}: {want.url} ({want.title}) was not stored"
        assert (got["title"], got["published"], got["text"], got["attachments"]) == (
            want.title, want.published, want.text, want.attachments
        ), want.url
    row = crawls.first.portals[kind]
    assert row["status"] == "ok"
    assert row["new"] + row["duplicate"] == len(crawls.expected_v1[kind])
    assert row["errors"] == 0


@pytest.mark.parametrize("kind", KINDS)
def test_no_article_is_stored_twice_or_from_outside_the_list(crawls: Crawls, kind: str) -> None:
    stored = {url for url, row in crawls.first.articles.items() if row["portal"] == kind}
    assert stored == {a.url for a in crawls.expected_v1[kind]}


@pytest.mark.parametrize("kind", KINDS)
def test_robots_txt_is_obeyed(crawls: Crawls, kind: str) -> None:
    robots = urllib.request.urlopen(crawls.sites.base_urls[kind] + "/robots.txt", timeout=5).read().decode()
    forbidden = re.search(r"^Disallow: (\S+)$", robots, re.M)[1]
    fetched = _paths(crawls.first.requests, kind) + _paths(crawls.second.requests, kind)
    assert "/robots.txt" in fetched
    assert not [path for path in fetched if path.startswith(forbidden)]
    assert any(e["reason"] == "robots" for e in crawls.first.errors if e["portal"] == kind)


@pytest.mark.parametrize("kind", KINDS)
def test_pagination_is_followed_on_the_first_crawl_and_stops_at_a_known_page_on_the_second(
    crawls: Crawls, kind: str
) -> None:
    first, second = crawls.first.portals[kind], crawls.second.portals[kind]
    assert first["list_pages"] >= 2  # every article was found, so every list page was walked
    # Version 2 adds a few articles on page 1; page 2 then holds only known articles and paging stops.
    assert second["list_pages"] == 2
    assert second["list_pages"] <= first["list_pages"]


@pytest.mark.parametrize("kind", KINDS)
def test_second_crawl_reports_exactly_the_revised_and_added_articles(crawls: Crawls, kind: str) -> None:
    row = crawls.second.portals[kind]
    added, revised = set(crawls.added[kind]), set(crawls.revised[kind])
    assert added and revised
    first_seen = {url for url, a in crawls.second.articles.items()
                  if a["portal"] == kind and url not in crawls.first.articles}
    assert first_seen == added
    assert {url for url in crawls.second.revised_urls if crawls.second.articles[url]["portal"] == kind} == revised
    assert row["new"] + row["duplicate"] == len(added)
    assert row["revised"] == len(revised)
    assert row["status"] == "ok" and row["errors"] == 0
    now = {a.url: a for a in crawls.sites.expected(kind)}
    for url in revised | added:
        assert crawls.second.articles[url]["text"] == now[url].text
    for url in revised:
        assert crawls.second.articles[url]["status"] == "revised"


@pytest.mark.parametrize("kind", KINDS)
def test_unchanged_articles_are_answered_304_to_conditional_requests(crawls: Crawls, kind: str) -> None:
    base = crawls.sites.base_urls[kind]
    changed = set(crawls.revised[kind]) | set(crawls.added[kind])
    unchanged = {a.url[len(base):] for a in crawls.sites.expected(kind) if a.url not in changed}
    answers = {r.path: (r.status, r.conditional) for r in crawls.second.requests if r.site == kind}
    assert {path: answers.get(path) for path in unchanged} == dict.fromkeys(unchanged, (304, True))
    assert crawls.second.portals[kind]["not_modified"] == len(unchanged)


FAULT_REASONS = {
    "unavailable": "http-503", "slow": "timeout", "reset": "connection", "truncated": "truncated",
    "huge": "too-large", "redirect_loop": "redirect-loop", "offsite_redirect": "redirect-offsite",
    "empty": "empty", "not_found": "http-404",
}


@pytest.mark.parametrize("crawl_name", ["first", "second"])
def test_every_fault_of_the_faulty_portal_is_recorded_with_its_url_and_reason(
    crawls: Crawls, crawl_name: str
) -> None:
    assert set(FAULT_REASONS) == set(FAULTS) - set(RECOVERABLE)  # every fault the site has is checked
    done: Crawl = getattr(crawls, crawl_name)
    base = crawls.sites.base_urls["faulty"]
    faults = {e["url"]: e["reason"] for e in done.errors if e["portal"] == "faulty" and e["reason"] != "robots"}
    # The list also names a PDF without text (a scan): a listed document is read, and its emptiness reported.
    empty_pdf = base + LISTED_EMPTY_PDF
    assert faults == {**{base + fault_path(fault): reason for fault, reason in FAULT_REASONS.items()},
                      empty_pdf: "empty"}
    row = done.portals["faulty"]
    # The portal's lists were read but these articles were lost this time: partial, not ok (and not failed).
    assert (row["status"], row["errors"]) == ("partial", len(FAULT_REASONS) + 1)


def test_the_faulty_portal_still_yields_every_article_a_crawler_can_get(crawls: Crawls) -> None:
    base = crawls.sites.base_urls["faulty"]
    recovered = {base + fault_path(fault) for fault in RECOVERABLE}  # 5xx then 200, wrong and missing charset
    expected = {a.url: a for a in crawls.expected_v1["faulty"]}
    assert recovered <= set(expected)
    for url, want in expected.items():
        got = crawls.first.articles.get(url)
        assert got is not None, f"{want.title} ({url}) was lost"
        assert (got["title"], got["published"], got["text"]) == (want.title, want.published, want.text), url
    stored = {url for url, row in crawls.first.articles.items() if row["portal"] == "faulty"}
    assert stored == set(expected)  # the empty page, the 404 and the rest stored nothing


def test_only_the_portals_own_pages_are_followed(crawls: Crawls) -> None:
    faulty = _paths(crawls.first.requests, "faulty")
    assert [path for path in faulty if path.endswith(".pdf")] == [LISTED_EMPTY_PDF]  # only the listed file
    assert OFFSITE_PATH not in _paths(crawls.first.requests, "generic")  # the off-site redirect was refused
    loop_hops = [path for path in faulty if path.startswith("/loop/")]
    assert 0 < len(loop_hops) <= 6  # the redirect loop was cut after a few hops


def test_a_blocked_portal_is_recorded_blocked_without_hammering_it(crawls: Crawls) -> None:
    for done in (crawls.first, crawls.second):
        row = done.portals["blocked"]
        assert row["status"] == "blocked" and "JavaScript challenge" in row["message"]
        assert [e["reason"] for e in done.errors if e["portal"] == "blocked"] == ["blocked"]
        # robots.txt plainly, then (where a browser is installed) once in the browser: no start page, no loop
        assert set(_paths(done.requests, "blocked")) == {"/robots.txt"}
        assert len(_paths(done.requests, "blocked")) <= 3


def test_one_blocked_portal_stops_no_other_and_the_command_names_it(crawls: Crawls) -> None:
    for done in (crawls.first, crawls.second):
        assert done.returncode == 1
        assert done.run["status"] == "partial"
        assert "failed, blocked or partial: faulty (partial), blocked (blocked)" in done.stderr
        statuses = {line.split()[0]: line.split()[1] for line in done.stdout.splitlines()[1:-1]}
        assert statuses == {**dict.fromkeys(KINDS, "ok"), "faulty": "partial", "blocked": "blocked"}


@pytest.mark.parametrize("kind", KINDS)
def test_a_crawl_where_nothing_changed_reads_one_list_page_and_gets_only_304s(crawls: Crawls, kind: str) -> None:
    row = crawls.third.portals[kind]
    assert (row["list_pages"], row["new"], row["duplicate"], row["revised"], row["errors"]) == (1, 0, 0, 0, 0)
    stored = [url for url, a in crawls.third.articles.items() if a["portal"] == kind]
    assert row["not_modified"] == len(stored)
    answers = [r for r in crawls.third.requests if r.site == kind and r.path != "/robots.txt"]
    assert sorted(r.status for r in answers) == [200] + [304] * len(stored)  # the first list page, then 304s


@pytest.mark.parametrize("kind", KINDS)
def test_articles_older_than_the_revisit_window_are_not_rechecked(crawls: Crawls, kind: str) -> None:
    row = crawls.outside_window.portals[kind]
    assert (row["list_pages"], row["articles_fetched"], row["not_modified"], row["errors"]) == (1, 0, 0, 0)
    paths = [r.path for r in crawls.outside_window.requests if r.site == kind]
    start = next(p for p in crawls.sites.portals() if p["name"] == kind)["start_urls"][0]
    assert sorted(paths) == sorted(["/robots.txt", start[len(crawls.sites.base_urls[kind]):]])
