"""Crawl every fixture site for real (in a subprocess), then crawl again after the sites changed."""

from __future__ import annotations

import re
import urllib.request
from dataclasses import dataclass

import pytest
from crawls import Crawl, Versions, crawl, crawl_versions, write_config

from portalwatch.fixture_sites import FixtureSites
from portalwatch.fixture_sites.faulty import FAULTS, LISTED_EMPTY_PDF, RECOVERABLE, fault_path
from portalwatch.fixture_sites.generic import OFFSITE_PATH

KINDS = ["trs", "hanweb", "oldqd", "news", "park", "generic", "files"]
# The faulty site's slow page answers after 3 s: a 1.5 s timeout makes it a timeout.
CRAWL = {"download_delay": 0, "concurrency": 32, "timeout": 1.5}


@dataclass
class Crawls(Versions):
    third: Crawl
    outside_window: Crawl


@pytest.fixture(scope="module")
def crawls(tmp_path_factory: pytest.TempPathFactory):
    """Every site crawled at version 1, at version 2, then the content kinds twice more unchanged."""
    folder = tmp_path_factory.mktemp("crawl")
    with FixtureSites() as sites:
        config = write_config(folder, sites.portals(), CRAWL)
        versions = crawl_versions(config, sites, [*KINDS, "faulty"])
        only_kinds = [arg for kind in KINDS for arg in ("--portal", kind)]
        third = crawl(config, sites, *only_kinds)
        # The same store with a revisit window of 0 days: every article is now older than the window.
        outside_window = crawl(write_config(folder, sites.portals(), {**CRAWL, "revisit_days": 0}), sites,
                               *only_kinds)
        yield Crawls(**vars(versions), third=third, outside_window=outside_window)


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
