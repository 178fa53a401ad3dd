"""`portalwatch probe`: what a user runs before adding a portal, on every fixture site and on a real page."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml

from crawler.browser import browser_available
from portalwatch.fixture_sites import FixtureSites, scripted

REPO = Path(__file__).resolve().parent.parent
REAL_PAGES = REPO.parent / "shared" / "real-pages"
CONTENT_SITES = ["trs", "hanweb", "oldqd", "news", "park", "generic", "files"]


def probe(folder: Path, *args: str) -> subprocess.CompletedProcess:
    config = folder / "config.yaml"
    if not config.exists():
        config.write_text(yaml.safe_dump({"database": "sqlite:///probe.db", "portals": []}), encoding="utf-8")
    return subprocess.run([sys.executable, "-m", "portalwatch", "-c", str(config), "probe", *args],
                          capture_output=True, text=True, timeout=120, cwd=folder)


@pytest.fixture(scope="module")
def sites():
    with FixtureSites() as running:
        yield running


@pytest.mark.parametrize("site", CONTENT_SITES)
def test_probe_shows_links_next_page_and_the_first_articles_of_every_fixture_site(
    sites: FixtureSites, site: str, tmp_path: Path
) -> None:
    start = next(p for p in sites.portals() if p["name"] == site)["start_urls"][0]
    done = probe(tmp_path, start)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    expected = sites.expected(site)
    assert f"kind: {site if site in ('trs', 'hanweb', 'oldqd', 'news', 'park') else 'generic'}" in out
    assert "next page: http://" in out  # every fixture column has a second page
    for want in expected[:2]:  # the first listed articles are read with their title and date
        assert want.url in out
        assert f"title: {want.title}" in out
        assert f"date: {want.published}" in out
    assert not (tmp_path / "probe.db").exists()  # stores nothing


def test_probe_by_portal_name_and_the_exit_codes(sites: FixtureSites, tmp_path: Path) -> None:
    park = next(p for p in sites.portals() if p["name"] == "park")
    (tmp_path / "config.yaml").write_text(yaml.safe_dump({"portals": [park]}, allow_unicode=True), encoding="utf-8")
    named = probe(tmp_path, "--portal", "park", "--articles", "1")
    assert named.returncode == 0 and named.stdout.count("\n[") == 1
    assert re.search(r"kind: (project|policy|other) · district: \S+ · amount: \S+", named.stdout)
    unknown = probe(tmp_path, "--portal", "nope")
    assert unknown.returncode == 2 and "nope" in unknown.stderr
    nothing = probe(tmp_path, sites.faults()["empty"])
    assert nothing.returncode == 1 and "no article found" in nothing.stderr
    gone = probe(tmp_path, "http://127.0.0.1:9/nothing-listens-here")
    assert gone.returncode == 3 and "127.0.0.1:9" in gone.stderr


class _OnePage(BaseHTTPRequestHandler):
    body = b""

    def do_GET(self) -> None:
        found = self.path == "/article.html"
        self.send_response(200 if found else 404)
        self.send_header("Content-Type", "text/html")  # no charset
        self.send_header("Content-Length", str(len(self.body) if found else 0))
        self.end_headers()
        if found:
            self.wfile.write(self.body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.mark.skipif(not (REAL_PAGES / "gold.jsonl").exists(), reason="../shared/real-pages is absent")
def test_probe_reads_a_real_government_page_served_on_loopback(tmp_path: Path) -> None:
    gold = [json.loads(line) for line in (REAL_PAGES / "gold.jsonl").read_text(encoding="utf-8").splitlines()]
    row = next(r for r in gold if r["type"] == "detail" and r["kind"] == "gov" and "shanxi" in r["file"])
    _OnePage.body = (REAL_PAGES / row["file"]).read_bytes()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _OnePage)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        done = probe(tmp_path, f"http://127.0.0.1:{server.server_address[1]}/article.html")
    finally:
        server.shutdown()
        server.server_close()
    assert done.returncode == 0, done.stderr
    assert f"title: {row['title']}" in done.stdout
    assert f"date: {row['date']}" in done.stdout


@pytest.mark.skipif(browser_available() is not None, reason=f"no headless browser here: {browser_available()}")
def test_probe_reads_a_list_its_page_script_builds_in_the_browser(sites: FixtureSites, tmp_path: Path) -> None:
    sites.clear_requests()
    done = probe(tmp_path, sites.base_urls["scripted"] + scripted.COLUMN)
    assert done.returncode == 0, done.stderr
    assert f"article links as served: none; {scripted.PER_PAGE} article links in the browser" in done.stdout
    assert "set render: list" in done.stdout
    listed = set(re.findall(r"^  (http\S+)$", done.stdout, re.M))
    first_page = sites.expected("scripted")[:scripted.PER_PAGE - 1]
    assert {a.url for a in first_page} <= listed
    assert re.search(rf"next page: \S+\?page=2, {scripted.PER_PAGE} article links there", done.stdout)
    for article in first_page[:3]:
        assert f"title: {article.title}" in done.stdout
    # the page's own call to a folder robots.txt forbids was not sent from the browser either
    assert not [r.path for r in sites.requests if r.site == "scripted" and r.path.startswith(scripted.COUNTER)]
