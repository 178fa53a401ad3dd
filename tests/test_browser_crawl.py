"""Portals behind JavaScript challenges and with script-built lists, crawled for real through headless Chromium."""

from __future__ import annotations

import os
import re
import signal
import threading
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from crawls import Crawl, Versions, crawl, crawl_versions
from crawls import write_config as crawls_config

from crawler.browser import browser_available, process_tree
from portalwatch.fixture_sites import FixtureSites, scripted

BROWSER_SITES = ["cookie412", "cookie521", "scripted"]
PLAIN_SITE = "trs"
SETTLE_SECONDS = 3.0
PASS_USES = 12  # the 412 wall's pass runs out several times in one crawl of its ~35 pages
NO_BROWSER = browser_available()
needs_browser = pytest.mark.skipif(
    NO_BROWSER is not None, reason=f"the headless browser tests need Playwright and a system Chromium: {NO_BROWSER}"
)


def write_config(folder: Path, portals: list[dict], **browser: object) -> Path:
    return crawls_config(folder, portals, {"download_delay": 0, "concurrency": 4, "timeout": 5},
                         browser={"settle_seconds": SETTLE_SECONDS, "page_seconds": 20, **browser})


@pytest.fixture(scope="module")
def crawls(tmp_path_factory: pytest.TempPathFactory):
    """The browser portals, the CAPTCHA portal and one plain portal in one crawl, at version 1 and 2."""
    if NO_BROWSER is not None:
        pytest.skip(NO_BROWSER)
    folder = tmp_path_factory.mktemp("browser-crawl")
    with FixtureSites(pass_uses=PASS_USES) as sites:
        chosen = {*BROWSER_SITES, "blocked", PLAIN_SITE}
        config = write_config(folder, [p for p in sites.portals(browser=True) if p["name"] in chosen])
        yield crawl_versions(config, sites, [*BROWSER_SITES, PLAIN_SITE])


def _requests(done: Crawl, site: str) -> list:
    return [r for r in done.requests if r.site == site]


def _forbidden(sites: FixtureSites, site: str, done: Crawl) -> list[str]:
    """The paths under a folder the site's robots.txt disallows that the crawl, its browser included, fetched."""
    robots = urllib.request.urlopen(sites.base_urls[site] + "/robots.txt", timeout=5).read().decode()
    folders = re.findall(r"^Disallow: (\S+)$", robots, re.M)
    assert folders
    return [r.path for r in _requests(done, site) if r.path.startswith(tuple(folders))]


@needs_browser
@pytest.mark.parametrize("kind", [*BROWSER_SITES, PLAIN_SITE])
def test_every_article_behind_a_challenge_or_a_script_list_is_stored_exactly(crawls: Versions, kind: str) -> None:
    for want in crawls.expected_v1[kind]:
        got = crawls.first.articles.get(want.url)
        assert got is not None, f"{kind}: {want.url} ({want.title}) was not stored"
        assert (got["title"], got["published"], got["text"], got["attachments"]) == (
            want.title, want.published, want.text, want.attachments
        ), want.url
    stored = {url for url, row in crawls.first.articles.items() if row["portal"] == kind}
    assert stored == {a.url for a in crawls.expected_v1[kind]}
    row = crawls.first.portals[kind]
    assert (row["status"], row["errors"]) == ("ok", 0)
    assert row["new"] + row["duplicate"] == len(crawls.expected_v1[kind])


@needs_browser
@pytest.mark.parametrize("kind", BROWSER_SITES)
def test_most_requests_are_plain_http_and_the_share_is_reported(crawls: Versions, kind: str) -> None:
    for done in (crawls.first, crawls.second):
        answered = _requests(done, kind)
        by_browser = [r for r in answered if r.browser]
        share = 1 - len(by_browser) / len(answered)
        assert by_browser, f"{kind}: the browser was never used"
        assert share >= 0.75, f"{kind}: only {share:.0%} of {len(answered)} requests were plain HTTP"
        # The health line says what the site saw. Chromium may also ask for /favicon.ico on its own, out of
        # Playwright's sight: the crawler cannot count that one.
        seen = [r for r in answered if r.path != "/favicon.ico"]
        counted = [r for r in seen if r.browser]
        reported = f"browser: {len(counted)} of {len(seen)} requests, {1 - len(counted) / len(seen):.0%} plain HTTP"
        assert reported in done.portals[kind]["message"]


@needs_browser
def test_plain_portals_never_touch_the_browser(crawls: Versions) -> None:
    for done in (crawls.first, crawls.second):
        assert not [r for r in _requests(done, PLAIN_SITE) if r.browser]
        assert "browser" not in (done.portals[PLAIN_SITE]["message"] or "")


@needs_browser
def test_an_expired_pass_is_earned_again_and_its_cookie_is_used_until_then(crawls: Versions) -> None:
    answered = _requests(crawls.first, "cookie412")
    earned = [r for r in answered if r.document and r.status == 412]
    passed_plainly = [r for r in answered if not r.browser and r.status == 200]
    pages = len(crawls.expected_v1["cookie412"]) + crawls.first.portals["cookie412"]["list_pages"]
    assert len(earned) >= pages // PASS_USES  # the pass ran out that often, and each time it was earned again
    assert len(earned) <= pages // PASS_USES + 2  # earned when it ran out, not for every page
    assert len(passed_plainly) >= pages - len(earned)  # every other page came plainly with the cookie


@needs_browser
def test_the_script_built_list_is_rendered_and_its_articles_fetched_plainly(crawls: Versions) -> None:
    answered = _requests(crawls.first, "scripted")
    rendered = {r.path for r in answered if r.browser}
    assert any(path.startswith("/api/") for path in rendered)  # the list came from the JSON endpoint
    articles = {a.url.removeprefix(crawls.sites.base_urls["scripted"]) for a in crawls.expected_v1["scripted"]}
    assert not articles & rendered
    assert articles <= {r.path for r in answered if not r.browser and r.status == 200}
    assert crawls.first.portals["scripted"]["list_pages"] >= 3  # paging links the script wrote were followed
    # the list's script also calls a visit counter robots.txt forbids: the browser did not send that call
    assert not _forbidden(crawls.sites, "scripted", crawls.first)


@needs_browser
@pytest.mark.parametrize("kind", [*BROWSER_SITES, PLAIN_SITE])
def test_second_crawl_finds_exactly_the_added_and_revised_articles(crawls: Versions, kind: str) -> None:
    row = crawls.second.portals[kind]
    added, revised = set(crawls.added[kind]), set(crawls.revised[kind])
    first_seen = {url for url, a in crawls.second.articles.items()
                  if a["portal"] == kind and url not in crawls.first.articles}
    assert first_seen == added
    assert {url for url in crawls.second.revised_urls if crawls.second.articles[url]["portal"] == kind} == revised
    assert (row["status"], row["errors"], row["revised"]) == ("ok", 0, len(revised))
    assert row["not_modified"] > 0  # known articles were re-checked with conditional requests


@needs_browser
def test_a_captcha_portal_ends_blocked_within_its_limit_and_the_rest_of_the_run_goes_on(
    crawls: Versions,
) -> None:
    for done in (crawls.first, crawls.second):
        row = done.portals["blocked"]
        assert row["status"] == "blocked"
        assert "JavaScript challenge" in row["message"] and "waits for a person" in row["message"]
        errors = [e for e in done.errors if e["portal"] == "blocked"]
        assert [e["reason"] for e in errors] == ["blocked"]
        took = (errors[0]["at"] - done.run["started_at"]).total_seconds()
        assert took < SETTLE_SECONDS + 20  # the settle time, plus starting the browser on a loaded machine
        # robots.txt plainly, then the browser once on the same page: nothing more, no loop
        answered = _requests(done, "blocked")
        assert len(answered) <= 3 and {r.path for r in answered} == {"/robots.txt"}
        assert done.returncode == 1 and done.run["status"] == "partial"
        assert "failed, blocked or partial: blocked (blocked)" in done.stderr
        assert {name: done.portals[name]["status"] for name in [*BROWSER_SITES, PLAIN_SITE]} == dict.fromkeys(
            [*BROWSER_SITES, PLAIN_SITE], "ok")


@needs_browser
def test_the_browser_is_closed_when_the_crawl_ends(crawls: Versions) -> None:
    for done in (crawls.first, crawls.second):
        started = re.findall(r"browser started: \S+ \(pid (\d+), profile (\S+)\)", done.stderr)
        assert len(started) == 1  # one browser for every portal of the crawl
        pid, profile = started[0]
        proc = Path(f"/proc/{pid}")
        assert not proc.exists() or profile.encode() not in (proc / "cmdline").read_bytes()
        assert not Path(profile).exists()  # the throw-away profile is gone too


def test_without_a_browser_or_with_it_switched_off_a_challenged_portal_is_blocked_with_the_reason(
    tmp_path: Path,
) -> None:
    with FixtureSites() as sites:
        portals = [p for p in sites.portals(browser=True) if p["name"] in ("cookie412", "cookie521", PLAIN_SITE)]
        for portal in portals:
            if portal["name"] == "cookie412":
                portal["render"] = False
        missing = tmp_path / "no-such-chromium"
        done = crawl(write_config(tmp_path, portals, executable=str(missing)), sites)
    assert done.portals["cookie412"]["status"] == "blocked"
    assert "render: false" in done.portals["cookie412"]["message"]
    assert done.portals["cookie521"]["status"] == "blocked"
    assert re.search(r"no Chromium found \(.*no-such-chromium", done.portals["cookie521"]["message"])
    assert done.portals[PLAIN_SITE]["status"] == "ok"
    assert not [r for r in done.requests if r.browser]
    assert len([r for r in done.requests if r.site in ("cookie412", "cookie521")]) <= 4  # robots.txt each, once


def _trips(requests: list) -> int:
    """The browser's trips: its challenged page loads, a challenged reload of the page it is on not counted again.

    Only page loads count: Chromium asks for /favicon.ico on its own after a page, and the wall challenges that too.
    """
    pages = [r for r in requests if r.document]
    return sum(1 for i, r in enumerate(pages)
               if r.status == 412 and not (i and pages[i - 1].path == r.path and pages[i - 1].status == 412))


@needs_browser
@pytest.mark.parametrize(("uses", "words", "most_plain"), [
    # The browser gets through, but its cookies never work for a plain request: three cookies are tried,
    # each by the requests in flight (robots.txt, the list page and the 15 articles it links) at most once.
    (1, "refused 3 times in a row", 3 * 17),
    # The page reloads for ever: the browser gives up after a few rounds; robots.txt was the only plain request.
    (0, "still challenged after 4 answers", 1),
])
def test_a_wall_that_never_lets_plain_requests_through_ends_blocked_not_in_a_loop(
    tmp_path: Path, uses: int, words: str, most_plain: int
) -> None:
    with FixtureSites(pass_uses=uses) as sites:
        portals = [p for p in sites.portals(browser=True) if p["name"] == "cookie412"]
        done = crawl(write_config(tmp_path, portals, page_seconds=4, max_challenges=3), sites)
    row = done.portals["cookie412"]
    assert row["status"] == "blocked" and words in row["message"]
    # shown when the count is wrong: the browser's loads and every plain answer that got through
    seen = [(r.path, r.status, r.document) for r in done.requests if r.browser or r.status != 412]
    assert 0 < _trips(done.requests) <= (3 if uses else 1), seen  # three trips of the browser; or one of four reloads
    assert len([r for r in done.requests if not r.browser]) <= most_plain


@needs_browser
def test_render_all_reads_every_page_in_the_browser_and_still_obeys_robots_txt(tmp_path: Path) -> None:
    with FixtureSites() as sites:
        portal = next(p for p in sites.portals(browser=True) if p["name"] == "scripted")
        done = crawl(write_config(tmp_path, [{**portal, "render": "all", "max_pages": 1}]), sites)
        # the first list page: PER_PAGE entries, one of them the trap robots.txt forbids
        expected = sites.expected("scripted")[:scripted.PER_PAGE - 1]
        forbidden = _forbidden(sites, "scripted", done)
    for want in expected:
        got = done.articles.get(want.url)
        assert got is not None, f"{want.url} ({want.title}) was not stored"
        assert (got["title"], got["published"], got["text"]) == (want.title, want.published, want.text), want.url
    assert set(done.articles) == {a.url for a in expected}  # the disallowed trap was not opened
    plain = [r.path for r in done.requests if not r.browser]
    assert plain == ["/robots.txt"]  # read plainly, as text: its rules held for the rendered pages
    assert not forbidden  # and for the pages' own requests: the visit counter their script calls was not called
    assert done.portals["scripted"]["status"] == "ok"


@needs_browser
def test_a_browser_past_its_memory_cap_is_restarted_and_the_crawl_goes_on(tmp_path: Path) -> None:
    with FixtureSites() as sites:
        portal = next(p for p in sites.portals(browser=True) if p["name"] == "scripted")
        done = crawl(write_config(tmp_path, [{**portal, "max_pages": 2}], memory_mb=128), sites)
        expected = {a.url for a in sites.expected("scripted")[:2 * scripted.PER_PAGE - 1]}
    assert done.portals["scripted"]["status"] == "ok"
    assert set(done.articles) == expected  # both list pages were rendered, each by a fresh browser
    assert len(re.findall(r"browser uses \d+ MiB \(cap 128 MiB\): restarting it", done.stderr)) == 2


@needs_browser
def test_render_true_earns_the_cookie_first_and_waits_for_a_slow_challenge_script(tmp_path: Path) -> None:
    # The solver script takes longer to arrive than settle_seconds: loading is not doing nothing.
    with FixtureSites(pass_uses=1000, solver_seconds=SETTLE_SECONDS + 1.5) as sites:
        portal = next(p for p in sites.portals(browser=True) if p["name"] == "cookie412")
        done = crawl(write_config(tmp_path, [{**portal, "render": True, "max_pages": 1}]), sites)
        listed = {a.url for a in sites.expected("cookie412")}
    row = done.portals["cookie412"]
    assert (row["status"], row["errors"]) == ("ok", 0)
    assert len(done.articles) >= 10 and set(done.articles) <= listed
    answered = _requests(done, "cookie412")
    assert answered[0].browser  # no plain request went out before the cookie was earned
    assert not [r for r in answered if not r.browser and r.status == 412]  # and none was ever challenged


@needs_browser
def test_render_auto_renders_a_list_the_page_script_builds_and_says_so(tmp_path: Path) -> None:
    with FixtureSites() as sites:
        portal = next(p for p in sites.portals(browser=True) if p["name"] == "scripted")
        done = crawl(write_config(tmp_path, [{**portal, "render": "auto", "max_pages": 2}]), sites)
        expected = {a.url for a in sites.expected("scripted")[:2 * scripted.PER_PAGE - 1]}
    row = done.portals["scripted"]
    assert (row["status"], row["errors"], row["list_pages"]) == ("ok", 0, 2)
    assert set(done.articles) == expected  # both list pages were read, the articles fetched
    lists = [r for r in done.requests if r.path.startswith(scripted.COLUMN)]
    assert [r.path for r in lists if not r.browser] == [scripted.COLUMN]  # tried plainly once, the first page only
    assert len([r for r in lists if r.document]) == 2  # then each page in the browser
    assert "(its lists are built by script: set render: list)" in row["message"]


def test_render_auto_without_a_browser_reports_the_empty_list_as_before(tmp_path: Path) -> None:
    with FixtureSites() as sites:
        portal = next(p for p in sites.portals(browser=True) if p["name"] == "scripted")
        config = write_config(tmp_path, [{**portal, "render": "auto"}], executable=str(tmp_path / "no-chromium"))
        done = crawl(config, sites)
    row = done.portals["scripted"]
    assert row["status"] == "failed" and "no article links found on the list page" in row["message"]
    assert "browser" not in row["message"] and not [r for r in done.requests if r.browser]
    assert done.returncode == 1


def _frozen_at_first_article(sites: FixtureSites, config: Path, articles: set[str],
                             stop: threading.Event) -> tuple[list[int], list[Path]]:
    """SIGSTOP the crawl's Chromium, every process of it, as it loads the first of `articles` (URLs): a hung
    browser. Its processes, and the temp folders of its profile's singleton socket (Chromium removes those on a
    clean exit)."""
    paths = {urlsplit(url).path for url in articles}
    while not stop.wait(0.05):
        if not any(r.document and r.path in paths for r in sites.requests):
            continue
        crawl_pid = next((p for p in _pids() if str(config) in _cmdline(p)), None)
        tree = process_tree(crawl_pid) if crawl_pid else []
        browsers = [p for p in tree if "--user-data-dir=" in _cmdline(p) and "--type=" not in _cmdline(p)]
        profiles = [Path(re.search(r"--user-data-dir=(\S+)", _cmdline(b)).group(1)) for b in browsers]
        links = [p / "SingletonSocket" for p in profiles]
        sockets = [Path(os.readlink(link)).parent for link in links if link.is_symlink()]
        frozen = [p for b in browsers for p in process_tree(b)]
        for pid in frozen:
            os.kill(pid, signal.SIGSTOP)
        return frozen, sockets
    return [], []


def _pids() -> list[int]:
    return [int(entry.name) for entry in Path("/proc").iterdir() if entry.name.isdigit()]


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def _alive(pid: int) -> bool:
    """Whether a process still runs (a zombie waiting for its parent to reap it has ended)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@needs_browser
def test_a_browser_that_hangs_is_killed_and_the_crawl_goes_on_with_a_fresh_one(tmp_path: Path) -> None:
    with FixtureSites() as sites:
        portal = next(p for p in sites.portals(browser=True) if p["name"] == "scripted")
        config = write_config(tmp_path, [{**portal, "render": "all", "max_pages": 1}], page_seconds=8)
        expected = {a.url for a in sites.expected("scripted")[:scripted.PER_PAGE - 1]}
        stop = threading.Event()
        with ThreadPoolExecutor(1) as pool:
            freezing = pool.submit(_frozen_at_first_article, sites, config, expected, stop)
            done = crawl(config, sites)
            stop.set()
            frozen, sockets = freezing.result()
        assert frozen, "the browser was never seen loading an article"
        assert not [pid for pid in frozen if _alive(pid)]  # every process of the hung browser was killed
        assert sockets and not [folder for folder in sockets if folder.exists()]  # and nothing of it left in /tmp
        assert "the browser did not close within 3 s: killing it" in done.stderr
        row = done.portals["scripted"]
        (hung,) = [e for e in done.errors if e["reason"] == "browser"]
        assert "the browser could not render the page" in hung["detail"]
        assert (row["status"], row["errors"]) == ("partial", 1)
        assert set(done.articles) == expected - {hung["url"]}  # a fresh browser rendered every other page
        again = crawl(config, sites)  # the page it hung on is fetched by the next crawl
    assert set(again.articles) == expected and again.portals["scripted"]["status"] == "ok"
