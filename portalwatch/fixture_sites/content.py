"""What each site holds in version 1 and version 2: hand-written articles, seed copies, generated ones."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime
from functools import cache
from pathlib import Path

import yaml

from portalwatch.fixture_sites.generator import generate
from portalwatch.fixture_sites.records import BEIJING, Article

DATA_FILE = Path(__file__).parent / "articles.yaml"
NEWEST_V1 = datetime(2026, 11, 16, 10, 30, tzinfo=BEIJING)  # generated version-1 articles start here
NEWEST_V2 = datetime(2026, 11, 19, 15, 0, tzinfo=BEIJING)  # generated version-2 additions start here
REVISED_AT = datetime(2026, 11, 20, 16, 0, tzinfo=BEIJING)  # Last-Modified of revised pages
# Generated articles per site at scale 1, and where each site's article ids start.
GENERATED = {"trs": 30, "hanweb": 35, "oldqd": 20, "news": 20, "park": 20, "generic": 12, "faulty": 7,
             "cookie412": 30, "cookie521": 30, "scripted": 24}
ID_BASE = {"trs": 3_300_000, "hanweb": 6_100_000, "oldqd": 28_400_000, "news": 22_900_000, "park": 10_000,
           "generic": 500, "faulty": 3_500_000, "cookie412": 3_600_000, "cookie521": 6_200_000, "scripted": 70_000}
PREFIXED = {"park"}  # sites whose titles carry a 【...招商】 prefix
ADDED_GENERATED = 2  # generated articles added in version 2 on each site


@dataclass(frozen=True)
class Edition:
    """One version of a site's articles, newest first, and what changed against version 1."""

    version: int
    articles: tuple[Article, ...]
    modified: dict[int, datetime]  # article id -> Last-Modified
    added: frozenset[int]
    revised: frozenset[int]
    trap: Article


@cache
def hand_written() -> dict[str, list[dict]]:
    """The entries of articles.yaml by site."""
    entries = yaml.safe_load(DATA_FILE.read_text(encoding="utf-8")) or []
    by_site: dict[str, list[dict]] = {}
    for entry in entries:
        by_site.setdefault(entry["site"], []).append(entry)
    return by_site


def _article(entry: dict, number: int, paragraphs: list[str] | None = None) -> Article:
    published = entry["published"]
    if not isinstance(published, datetime):
        published = datetime.fromisoformat(str(published))
    return Article(
        id=entry.get("id", number),
        title=entry["title"],
        published=published.replace(tzinfo=BEIJING),
        paragraphs=tuple(p.strip() for p in (paragraphs or entry["paragraphs"])),
        source=entry.get("source", ""),
        attachments=tuple(tuple(a) for a in entry.get("attachments", [])),
        doc_number=entry.get("doc_number", ""),
        issuer=entry.get("issuer", ""),
    )


def revise(article: Article) -> Article:
    """A generated article as its site corrects it: a figure changed and a sentence added."""
    first = re.sub(r"\d+", lambda m: str(int(m[0]) + 1), article.paragraphs[0], count=1)
    update = "据最新消息，项目前期手续已全部办结，主体工程进入全面施工阶段。"
    return replace(article, paragraphs=(first, *article.paragraphs[1:], update))


@cache
def editions(site: str, scale: int) -> tuple[Edition, Edition]:
    """Version 1 and version 2 of a site's content."""
    entries = hand_written().get(site, [])
    base = ID_BASE[site]
    written = [_article(e, base + 900_000 + n) for n, e in enumerate(entries) if not e.get("added")
               and not e.get("trap")]
    added_written = [_article(e, base + 950_000 + n) for n, e in enumerate(entries) if e.get("added")]
    traps = [_article(e, base + 990_000 + n) for n, e in enumerate(entries) if e.get("trap")]
    prefixed = site in PREFIXED
    generated = generate(site, GENERATED[site] * scale, NEWEST_V1.replace(tzinfo=None), base, prefixed)
    trap = traps[0] if traps else generate(f"{site}-trap", 1, datetime(2026, 11, 10, 9, 0), base + 999_999)[0]
    v1 = sorted([*written, *generated], key=lambda a: a.published, reverse=True)

    revisions = {
        a.id: _article(e, a.id, e["revised"])
        for e, a in ((e, _article(e, base + 900_000 + n)) for n, e in enumerate(entries))
        if e.get("revised")
    }
    revisions[generated[4].id] = revise(generated[4])
    extra = generate(f"{site}-v2", ADDED_GENERATED, NEWEST_V2.replace(tzinfo=None), base + 800_000, prefixed)
    added = [*added_written, *extra]
    v2 = sorted([*added, *(revisions.get(a.id, a) for a in v1)], key=lambda a: a.published, reverse=True)

    first = Edition(1, tuple(v1), {a.id: a.published for a in v1}, frozenset(), frozenset(), trap)
    modified = {a.id: REVISED_AT if a.id in revisions else a.published for a in v2}
    second = Edition(2, tuple(v2), modified, frozenset(a.id for a in added), frozenset(revisions), trap)
    return first, second
