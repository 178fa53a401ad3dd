"""The fixture sites themselves: they serve what `expected()` says, answer 304s, switch versions."""

from __future__ import annotations

import http.client
import json
import re
import socket
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from lxml import html

from portalwatch.dedupe.fingerprints import shingle_hashes
from portalwatch.fixture_sites import FixtureSites
from portalwatch.fixture_sites.content import GENERATED, editions
from portalwatch.fixture_sites.walls import solve
from portalwatch.seeds import load_seeds
from portalwatch.textnorm import fold, to_simplified

# Where each kind keeps its article body, as the portals' own markup has it.
BODY_PARAGRAPHS = {
    "trs": "//div[contains(@class,'TRS_Editor') or contains(@class,'TRS_UEDITOR')]//p",
    "hanweb": "//p",  # applied to the part between the ZJEG_RSS markers
    "oldqd": "//div[@id='Zoom2']//p",
    "news": "//div[@id='endText']//p",
    "park": "//div[@class='article-content']//p",
    "generic": "//div[@class='body']//p",
}
KINDS = list(BODY_PARAGRAPHS)
SEEDS = Path(__file__).parent.parent / "seeds"
LIST_LINKS = {
    "trs": "//ul[@class='list_ul']/li/a/@href",
    "oldqd": "//div[@id='listChangeDiv']//li/a/@href",
    "news": "//ul[@class='newslist']/li/a/@href",
    "park": "//div[@class='news-list']//h3/a/@href",
    "generic": "//div[@class='entry']/a/@href",
}


def fetch(url: str, headers: dict | None = None, data: bytes | None = None) -> tuple[int, dict, bytes]:
    request = urllib.request.Request(url, headers=headers or {}, data=data)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def decode(site: str, body: bytes) -> str:
    return body.decode("gbk" if site == "news" else "utf-8")


def body_text(site: str, page: str) -> str:
    """The article text by the portal kind's own markup: paragraphs, stripped, joined by newlines."""
    if site == "hanweb":
        page = page.split("<!--ZJEG_RSS.content.begin-->")[1].split("<!--ZJEG_RSS.content.end-->")[0]
    tree = html.fromstring(page)
    paragraphs = (p.text_content().strip() for p in tree.xpath(BODY_PARAGRAPHS[site]))
    return "\n".join(p for p in paragraphs if p)


def list_links(sites: FixtureSites, site: str) -> list[str]:
    """Every article URL the site's list pages link to, following its own pagination."""
    base = sites.base_urls[site]
    if site == "hanweb":
        return _hanweb_links(base, sites.portals())
    url, seen, links = next(p for p in sites.portals() if p["name"] == site)["start_urls"][0], set(), []
    while url and url not in seen:
        seen.add(url)
        status, _, body = fetch(url)
        assert status == 200, url
        tree = html.fromstring(decode(site, body))
        links += [urljoin(url, href) for href in tree.xpath(LIST_LINKS[site])]
        url = _next_page(site, url, decode(site, body), tree)
    return links


def disallowed(sites: FixtureSites, site: str) -> str:
    """The one path robots.txt forbids."""
    robots = fetch(sites.base_urls[site] + "/robots.txt")[2].decode()
    return re.search(r"^Disallow: (\S+)$", robots, re.M)[1]


def _next_page(site: str, url: str, page: str, tree) -> str | None:
    if site == "trs":
        total, current = map(int, re.search(r"createPageHTML\((\d+), (\d+),", page).groups())
        return urljoin(url, f"index_{current + 1}.shtml") if current + 1 < total else None
    if site == "park":  # numbered paging only: the number after the current one
        found = tree.xpath("//span[@class='current']/following-sibling::a[1][not(@class='last')]/@href")
        return urljoin(url, found[0]) if found else None
    labels = {"oldqd": "下一页", "news": "下一页", "generic": "更早的文章 »"}
    found = tree.xpath(f"//a[text()='{labels[site]}']/@href")
    return urljoin(url, found[0]) if found else None


def _hanweb_links(base: str, portals: list[dict]) -> list[str]:
    column = next(p for p in portals if p["name"] == "hanweb")["start_urls"][0]
    page = fetch(column)[2].decode()
    params = re.search(r"ajaxParam: '([^']+)'", page)[1]
    links = re.findall(r'<li><a href="([^"]+)"', page)
    start = len(links) + 1
    while True:
        proxy = f"{base}/module/web/jpage/dataproxy.jsp?startrecord={start}&endrecord={start + 44}&perpage=15"
        status, headers, body = fetch(proxy, data=params.encode())
        assert status == 200 and headers["Content-Type"].startswith("text/xml")
        batch = re.findall(r'<li><a href="([^"]+)"', body.decode())
        if not batch:
            return [urljoin(base, link) for link in links]
        links += batch
        start += len(batch)


@pytest.mark.parametrize("site", KINDS)
def test_article_pages_say_what_expected_says(fixture_sites, site):
    expected = fixture_sites.expected(site)
    assert len(expected) >= 12
    for article in expected:
        status, headers, body = fetch(article.url)
        assert status == 200, article.url
        page = decode(site, body)
        assert body_text(site, page) == article.text, article.url
        assert article.title in page
        assert f"{article.published:%Y}" in page and "ETag" in headers and "Last-Modified" in headers
        for attachment in article.attachments:
            assert fetch(attachment)[0] == 200


@pytest.mark.parametrize("site", KINDS)
def test_list_pages_link_every_article_and_the_robots_trap(fixture_sites, site):
    links = list_links(fixture_sites, site)
    expected = [a.url for a in fixture_sites.expected(site)]
    trapped = [link for link in links if urlsplit(link).path.startswith(disallowed(fixture_sites, site))]
    assert [link for link in links if link not in trapped] == expected
    assert len(trapped) == 1 and fetch(trapped[0])[0] == 200
    assert len(expected) > {"trs": 15, "hanweb": 15, "generic": 8}.get(site, 10)  # more than one list page


def test_conditional_requests_answer_304_and_are_logged(fresh_sites):
    article = fresh_sites.expected("trs")[0].url
    _, headers, _ = fetch(article)
    assert fetch(article, {"If-None-Match": headers["ETag"]})[0] == 304
    assert fetch(article, {"If-Modified-Since": headers["Last-Modified"]})[0] == 304
    assert fetch(article, {"If-None-Match": '"stale"'})[0] == 200
    path = urlsplit(article).path
    assert [(r.status, r.conditional) for r in fresh_sites.requests if r.path == path] == [
        (200, False), (304, True), (304, True), (200, True)]
    fresh_sites.clear_requests()
    assert fresh_sites.requests == []


def test_version_two_adds_newest_first_and_revises_with_new_validators(fresh_sites):
    before = {a.url: a for a in fresh_sites.expected("hanweb")}
    validators = {url: fetch(url)[1]["ETag"] for url in before}
    fresh_sites.set_version(2)
    after = fresh_sites.expected("hanweb")
    added, revised = fresh_sites.added("hanweb"), fresh_sites.revised("hanweb")
    assert added and revised and [a.url for a in after[: len(added)]] == added
    trap = disallowed(fresh_sites, "hanweb")
    listed = [link for link in list_links(fresh_sites, "hanweb") if not urlsplit(link).path.startswith(trap)]
    assert listed == [a.url for a in after]
    for article in after:
        if article.url in added:
            assert article.url not in before
            continue
        status = fetch(article.url, {"If-None-Match": validators[article.url]})[0]
        if article.url in revised:
            assert status == 200 and article.text != before[article.url].text
        else:
            assert status == 304 and article == before[article.url]


def test_news_pages_are_gbk_and_one_declares_no_charset(fixture_sites):
    declared = 0
    for article in fixture_sites.expected("news"):
        _, headers, body = fetch(article.url)
        assert headers["Content-Type"] == "text/html"
        with pytest.raises(UnicodeDecodeError):
            body.decode("utf-8")
        declared += b"charset=gb2312" in body
    assert declared == len(fixture_sites.expected("news")) - 1


def test_unknown_paths_are_404_and_every_portal_is_listed(fixture_sites):
    assert fetch(fixture_sites.base_urls["trs"] + "/no/such/page.shtml")[0] == 404
    assert {p["name"] for p in fixture_sites.portals()} >= set(KINDS)


def test_scale_multiplies_articles_that_are_not_near_duplicates():
    small, large = editions("trs", 1)[0].articles, editions("trs", 4)[0].articles
    assert len(large) - len(small) == 3 * GENERATED["trs"]
    texts = [set(shingle_hashes(fold(a.text)).tolist()) for a in large]
    worst = max(len(a & b) / len(a) for i, a in enumerate(texts) for j, b in enumerate(texts) if i != j)
    assert worst < 0.5


def test_servers_stop_on_exit_and_end_open_connections():
    with FixtureSites() as sites:
        port = urlsplit(sites.base_urls["generic"]).port
        kept = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        kept.request("GET", "/")
        assert kept.getresponse().read()
    started = time.monotonic()
    assert kept.sock.recv(1) == b""  # the server ended the idle keep-alive connection
    assert time.monotonic() - started < 1
    kept.close()
    with pytest.raises(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
        pass


def raw_get(url: str, timeout: float = 5) -> tuple[int, bytes]:
    """One GET on a fresh connection; a broken response raises what http.client raises."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    try:
        connection.request("GET", parts.path)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def test_faulty_site_misbehaves_as_documented():
    with FixtureSites(flaky_failures=2, slow_seconds=0.5) as sites:
        faults = sites.faults()
        assert [raw_get(faults["flaky"])[0] for _ in range(3)] == [503, 503, 200]
        assert {raw_get(faults["unavailable"])[0] for _ in range(3)} == {503}
        started = time.monotonic()
        with pytest.raises(http.client.RemoteDisconnected):
            raw_get(faults["slow"])
        assert 0.4 < time.monotonic() - started < 3
        with pytest.raises(ConnectionResetError):
            raw_get(faults["reset"])
        with pytest.raises(http.client.IncompleteRead):
            raw_get(faults["truncated"])
        status, body = raw_get(faults["huge"])
        assert status == 200 and len(body) == 20 * 1024 * 1024
        assert fetch(faults["redirect_loop"])[0] == 302  # urllib gives up on the loop: an HTTPError
        status, headers, _ = fetch(faults["not_found"])
        assert status == 404
        offsite = sites.faults()["offsite_target"]
        assert urlsplit(offsite).port != urlsplit(faults["offsite_redirect"]).port
        assert raw_get(faults["empty"])[0] == 200

        _, headers, body = fetch(faults["wrong_charset"])
        assert headers["Content-Type"] == "text/html; charset=utf-8" and b'charset="gb2312"' in body
        _, headers, body = fetch(faults["missing_charset"])
        assert headers["Content-Type"] == "text/html" and b"charset" not in body
        by_url = {a.url: a for a in sites.expected("faulty")}
        for fault in ("wrong_charset", "missing_charset"):
            page = fetch(faults[fault])[2].decode("gbk" if fault == "wrong_charset" else "utf-8")
            assert body_text("trs", page) == by_url[faults[fault]].text
        assert faults["flaky"] in by_url
        assert not {faults[f] for f in ("unavailable", "slow", "reset", "truncated", "huge", "empty")} & set(by_url)

        changed = html.fromstring(fetch(faults["changed_list"])[2])
        assert not changed.xpath("//ul[@class='list_ul']")
        linked = {urljoin(faults["changed_list"], h) for h in changed.xpath("//table//a/@href")}
        assert linked and linked <= set(by_url)


def test_blocked_site_answers_everything_with_a_412_captcha_page_that_sets_no_cookie(fixture_sites):
    base = fixture_sites.base_urls["blocked"]
    for path in ("/robots.txt", "/col/col1/index.html", "/anything"):
        status, headers, body = fetch(base + path)
        assert status == 412 and "Set-Cookie" in headers and b"<script" in body
        assert b"document.cookie" not in body and b"location" not in body  # nothing a script could pass
    assert fixture_sites.expected("blocked") == []


@pytest.mark.parametrize(("site", "status"), [("cookie412", 412), ("cookie521", 521)])
def test_walled_sites_challenge_until_the_cookie_the_script_computes_is_sent(fixture_sites, site, status):
    base, start = fixture_sites.base_urls[site], fixture_sites.expected(site)[0].url
    code, headers, body = fetch(start)
    assert code == status and b"<script" in body
    seed_cookie = headers["Set-Cookie"].split(";")[0]
    seed = seed_cookie.split("=", 1)[1]
    assert seed.encode() in body or site == "cookie521"
    agent = "portalwatch-test"
    computed = solve(seed if status == 412 else seed + agent)
    assert computed.encode() not in body  # the pass is computed by the script, never written in the page
    if status == 412:
        pass_cookie = f"{seed_cookie}; {seed_cookie.split('=')[0][:-1]}T={computed}"
    else:
        pass_cookie = f"{seed_cookie}; __jsl_clearance_s=1|0|{computed}"
    assert fetch(start, {"Cookie": seed_cookie, "User-Agent": agent})[0] == status  # the seed alone: no
    assert fetch(start, {"Cookie": pass_cookie, "User-Agent": agent})[0] == 200
    assert fetch(base + "/robots.txt", {"Cookie": pass_cookie, "User-Agent": agent})[0] == 200
    if status == 521:  # Jiasule binds the pass to the browser that earned it
        assert fetch(start, {"Cookie": pass_cookie, "User-Agent": "another"})[0] == status


def test_the_scripted_site_lists_its_articles_only_through_its_json_endpoint(fixture_sites):
    base = fixture_sites.base_urls["scripted"]
    expected = fixture_sites.expected("scripted")
    shell = fetch(expected[0].url.rsplit("/", 2)[0] + "/index.html")[2].decode()
    assert not [a for a in expected if a.url.removeprefix(base) in shell]  # no article link in the page itself
    api = re.search(r'fetch\("([^"?]+)', shell)[1]
    listed = []
    for number in range(1, 10):
        rows = json.loads(fetch(f"{base}{api}?pageNo={number}&pageSize=10")[2])["rows"]
        listed += [base + row["linkUrl"] for row in rows]
    assert [url for url in listed if url in {a.url for a in expected}] == [a.url for a in expected]


def test_sites_served_from_a_child_process_behave_the_same():
    with FixtureSites(process=True) as sites:
        article = sites.expected("news")[0]
        status, _, body = fetch(article.url)
        assert status == 200 and body_text("news", decode("news", body)) == article.text
        revised = sites.revised("trs")[0]
        etag = fetch(revised)[1]["ETag"]
        sites.set_version(2)
        assert fetch(revised, {"If-None-Match": etag})[0] == 200
        assert sites.requests[-1] == ("trs", "GET", urlsplit(revised).path, 200, True, False, False)
        sites.clear_requests()
        assert sites.requests == []
        port = urlsplit(sites.base_urls["trs"]).port
    with pytest.raises(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
        pass


def test_every_content_site_republishes_a_seed_article():
    seeds = [set(shingle_hashes(fold(to_simplified(a.text))).tolist()) for a in load_seeds(SEEDS)]
    for site in KINDS:
        texts = [set(shingle_hashes(fold(to_simplified(a.text))).tolist()) for a in editions(site, 1)[0].articles]
        copies = [t for t in texts if max(len(t & s) / len(t) for s in seeds) > 0.9]
        assert 1 <= len(copies) < len(texts) / 4, site
