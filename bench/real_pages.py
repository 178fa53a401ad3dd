"""Extraction and discovery measured on real pages nobody on the project wrote (``../shared/real-pages``).

Serves the saved pages on 127.0.0.1 at their gold URLs (a loopback forward proxy: the URLs stay the
real ones, nothing leaves the machine; no charset in the header), fetches each one the way
``portalwatch probe`` does, and prints title exact, date exact, body character F1, and list link recall
and precision, per page kind, beside trafilatura's and htmldate's figures measured in the same run.

The pages are split in two halves by a hash of the file name: rules were first written from the ``tune``
half only, and ``held`` was held out until stop 20, when its failures were looked at too. Figures on pages
no rule was written from come from other folders of the same form (``--pages DIR``: gold.jsonl and pages/),
measured before anyone looked at their failures. Usage:

    python bench/real_pages.py [--half all|tune|held] [--pages ../shared/real-pages] [--show]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import threading
import unicodedata
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import htmldate
import trafilatura

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from crawler.extract import Extractor, detect, list_links  # noqa: E402
from crawler.extract.hosts import HostScope  # noqa: E402
from crawler.probe import Fetched, _page, http_fetcher, read_article  # noqa: E402
from portalwatch.config import CrawlSettings, PortalConfig  # noqa: E402

DEFAULT_PAGES = REPO.parent / "shared" / "real-pages"
HALVES = ("held", "tune", "all")


def half_of(file_name: str) -> str:
    """`tune` or `held`, fixed by a hash of the file name (rules were first written from `tune` only)."""
    return "tune" if hashlib.sha256(file_name.encode()).digest()[0] % 2 == 0 else "held"


def squash(text: str | None) -> str:
    return "".join(unicodedata.normalize("NFKC", text or "").split())


def char_f1(found: str, gold: str) -> float:
    """F1 of the character multisets, whitespace removed; no output scores 0."""
    got, want = Counter(squash(found)), Counter(squash(gold))
    common = sum((got & want).values())
    if not common:
        return 0.0
    precision, recall = common / sum(got.values()), common / sum(want.values())
    return 2 * precision * recall / (precision + recall)


def served(url: str) -> str:
    """The address a page is served at: its gold URL over http (the proxy speaks plain HTTP only)."""
    return "http://" + _no_scheme(url)


def _no_scheme(url: str) -> str:
    """Gold links were resolved against the page's https address, the page is served over http: compare
    without the scheme."""
    return url.split("://", 1)[-1]


# --- serving the pages at their gold URLs ------------------------------------------------------------
class _ProxyHandler(BaseHTTPRequestHandler):
    """A forward proxy that knows only the saved pages: GET http://host/path answers the page saved for it."""

    server: _Proxy

    def do_GET(self) -> None:
        body = self.server.pages.get(self.path)
        if body is None:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/html")  # no charset, as many portals send it
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


class _Proxy(ThreadingHTTPServer):
    daemon_threads = True
    pages: dict[str, bytes]


@contextmanager
def serving(pages: dict[str, bytes]) -> Iterator[str]:
    """The proxy's address while it serves `pages` (gold URL -> bytes) on 127.0.0.1."""
    server = _Proxy(("127.0.0.1", 0), _ProxyHandler)
    server.pages = pages
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def rounds(rows: list[dict]) -> list[list[dict]]:
    """Groups of pages with distinct URLs (two saved pages may share one address)."""
    groups: list[list[dict]] = []
    for row in rows:
        for group in groups:
            if all(served(other["url"]) != served(row["url"]) for other in group):
                group.append(row)
                break
        else:
            groups.append([row])
    return groups


# --- running the product and the peers ----------------------------------------------------------------
@dataclass
class Result:
    row: dict
    half: str
    ours: dict = field(default_factory=dict)
    peers: dict = field(default_factory=dict)


def _ours(row: dict, fetched: Fetched) -> dict:
    """What the product makes of the page, read as the spider reads it (config: name and start_urls only)."""
    portal = PortalConfig(name="real", start_urls=[served(row["url"])])
    page = _page(fetched)
    extractor = Extractor(detect(page))
    if row["type"] == "list":
        return {"links": list_links(page, extractor, HostScope(portal.start_urls, portal.allowed_hosts))}
    article = read_article(served(row["url"]), fetched, extractor)
    return {"title": article.title, "date": str(article.published) if article.published else None,
            "text": article.text}


def _peers(row: dict, body: bytes) -> dict:
    if row["type"] == "list":
        return {}
    doc = trafilatura.bare_extraction(body, url=row["url"], with_metadata=True, include_comments=False)
    date = htmldate.find_date(body, url=row["url"], original_date=True, outputformat="%Y-%m-%d")
    doc = doc.as_dict() if hasattr(doc, "as_dict") else (doc or {})
    return {"trafilatura": {"title": doc.get("title"), "date": doc.get("date"), "text": doc.get("text") or ""},
            "htmldate": {"date": date}}


def measure(pages_dir: Path, peers: bool = True) -> list[Result]:
    rows = [json.loads(line) for line in (pages_dir / "gold.jsonl").read_text(encoding="utf-8").splitlines()
            if line.strip()]
    results: list[Result] = []
    settings = CrawlSettings(timeout=30)
    for group in rounds(rows):
        pages = {served(row["url"]): (pages_dir / row["file"]).read_bytes() for row in group}
        with serving(pages) as proxy:
            fetch = http_fetcher(settings, proxy=proxy)
            for row in group:
                fetched = fetch(served(row["url"]), None)
                theirs = _peers(row, pages[served(row["url"])]) if peers else {}
                results.append(Result(row, half_of(row["file"]), _ours(row, fetched), theirs))
    return results


# --- scoring ------------------------------------------------------------------------------------------
def score_article(row: dict, got: dict) -> dict:
    titles = {squash(row["title"]), *(squash(t) for t in row.get("title_alt") or [])}
    dates = {row["date"], *(row.get("date_alt") or [])}
    out: dict = {}
    if "title" in got:
        out["title"] = float(squash(got["title"]) in titles)
    if "date" in got:
        out["date"] = float(got["date"] in dates)
        out["wrong_date"] = float(got["date"] is not None and got["date"] not in dates)
    if "text" in got:
        out["body"] = char_f1(got["text"], "\n".join(row["body"]) if isinstance(row["body"], list) else row["body"])
    return out


def score_list(row: dict, got: dict) -> dict:
    gold = {_no_scheme(u) for u in row["links"]}
    found = {_no_scheme(u) for u in got["links"]}
    hit = len(gold & found)
    return {"recall": hit / len(gold) if gold else 1.0, "precision": hit / len(found) if found else 0.0}


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def summary(results: list[Result], half: str) -> dict:
    """Figures of one half (or all): per system and page kind."""
    chosen = [r for r in results if half == "all" or r.half == half]
    out: dict = {"pages": len(chosen), "articles": {}, "lists": {}}
    articles = [r for r in chosen if r.row["type"] == "detail"]
    systems = ["portalwatch", *sorted({name for r in articles for name in r.peers})]
    for system in systems:
        for kind in ("all", "gov", "news", "portal"):
            scored = [score_article(r.row, r.ours if system == "portalwatch" else r.peers.get(system, {}))
                      for r in articles if kind == "all" or r.row["kind"] == kind]
            if not scored:
                continue
            figures = {key: _mean([s[key] for s in scored if key in s]) for key in ("title", "date", "body")}
            figures["wrong_dates"] = int(sum(s.get("wrong_date", 0) for s in scored))
            figures["n"] = len(scored)
            out["articles"].setdefault(system, {})[kind] = figures
    for kind in ("html", "attachment"):
        scored = [score_list(r.row, r.ours) for r in chosen if r.row["type"] == "list" and r.row["links_kind"] == kind]
        if scored:
            out["lists"][kind] = {"recall": _mean([s["recall"] for s in scored]),
                                  "precision": _mean([s["precision"] for s in scored]), "n": len(scored)}
    return out


def _fmt(value: float | None) -> str:
    return "  -  " if value is None else f"{value:.3f}"


def print_summary(name: str, figures: dict) -> None:
    label = {"held": "second half (held out until stop 20)", "tune": "tuning half", "all": "all pages"}[name]
    print(f"\n== {label}: {figures['pages']} pages ==")
    print(f"{'articles':<24} {'n':>3} {'title':>6} {'date':>6} {'wrong':>5} {'body F1':>7}")
    for system, kinds in figures["articles"].items():
        for kind, f in kinds.items():
            wrong = f["wrong_dates"] if f["date"] is not None else "-"
            print(f"{system + ' / ' + kind:<24} {f['n']:>3} {_fmt(f['title']):>6} {_fmt(f['date']):>6} "
                  f"{wrong!s:>5} {_fmt(f['body']):>7}")
    print(f"{'lists (portalwatch)':<24} {'n':>3} {'recall':>6} {'prec.':>6}")
    for kind, f in figures["lists"].items():
        print(f"{kind:<24} {f['n']:>3} {_fmt(f['recall']):>6} {_fmt(f['precision']):>6}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--pages", type=Path, default=DEFAULT_PAGES, help="the real-pages folder (gold.jsonl, pages/)")
    parser.add_argument("--half", choices=HALVES, action="append", help="which figures to print (default: all three)")
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    parser.add_argument("--show", action="store_true", help="also print every page that is not right")
    args = parser.parse_args(argv)
    if not (args.pages / "gold.jsonl").exists():
        print(f"real_pages: no gold.jsonl in {args.pages}", file=sys.stderr)
        return 2
    results = measure(args.pages)
    halves = args.half or list(HALVES)
    figures = {half: summary(results, half) for half in halves}
    if args.json:
        print(json.dumps(figures, ensure_ascii=False))
        return 0
    print("portalwatch beside trafilatura (title, date, body) and htmldate (date), measured in this run;")
    print("published figures of GNE/Gerapy are in the real-pages README. Lists: the product's links vs gold.")
    for half in halves:
        print_summary(half, figures[half])
    if args.show:
        for r in results:
            if half_of(r.row["file"]) not in halves and "all" not in halves:
                continue
            s = score_article(r.row, r.ours) if r.row["type"] == "detail" else score_list(r.row, r.ours)
            if any(v < 0.95 for k, v in s.items() if k != "wrong_date") or s.get("wrong_date"):
                print(f"{r.half} {r.row['file']}: {s}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
