"""The reports folder: one HTML file per digest, `index.html` listing them, and `feed.xml` (Atom) of new items."""

from __future__ import annotations

import os
import re
import tempfile
import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from portalwatch.storage import Store
from reports import views
from reports.collect import ArticleItem, as_utc
from reports.render import environment

INDEX_NAME = "index.html"
FEED_NAME = "feed.xml"
PREVIEW_NAME = "preview.html"
PROJECTS_NAME = "projects.html"
FEED_SIZE = 100
REPORT_MODE = 0o644  # reports are meant to be read, by a web server too
ATOM = "http://www.w3.org/2005/Atom"
KIND_LABELS = {"project": "项目", "policy": "政策", "other": "其他"}
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass(frozen=True)
class IndexEntry:
    name: str
    period: str
    sent_at: str
    counts: dict


def report_path(reports_dir: Path, digest_id: int, period_end: datetime, tz: ZoneInfo) -> Path:
    """`digest-2026-11-23-0007.html`: sorts by date, unique by digest id."""
    return reports_dir / f"digest-{period_end.astimezone(tz).date().isoformat()}-{digest_id:04d}.html"


def report_link(path: Path, public_url: str | None) -> str:
    """Where a reader opens a report file: under `public_url` when the folder is served, else a file URI."""
    if public_url:
        return f"{public_url.rstrip('/')}/{path.name}"
    return path.resolve().as_uri()


def write_text(path: Path, text: str) -> None:
    """Write `path` whole or not at all (a reader never sees half a file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        os.chmod(tmp, REPORT_MODE)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def index_entries(store: Store, reports_dir: Path, tz: ZoneInfo) -> list[IndexEntry]:
    """Sent digests whose report file is in `reports_dir` (found by name: the folder may move), newest first."""
    entries = []
    for row in store.sent_digests():
        path = reports_dir / Path(row["path"]).name
        if not path.exists():
            continue
        start = views.local_time(as_utc(row["period_start"]), tz) if row["period_start"] else "开始"
        entries.append(IndexEntry(
            name=path.name,
            period=f"{start} 至 {views.local_time(as_utc(row['period_end']), tz)}",
            sent_at=views.local_time(as_utc(row["sent_at"]), tz) if row["sent_at"] else "",
            counts=dict(row["counts"] or {}),
        ))
    return entries


def write_index(store: Store, reports_dir: Path, tz: ZoneInfo) -> Path:
    html = environment().get_template("index.html.j2").render(
        entries=index_entries(store, reports_dir, tz), projects=PROJECTS_NAME,
        preview=PREVIEW_NAME if (reports_dir / PREVIEW_NAME).exists() else None,
        feed=FEED_NAME,
    )
    path = reports_dir / INDEX_NAME
    write_text(path, html)
    return path


def feed_items(store: Store, limit: int = FEED_SIZE) -> list[ArticleItem]:
    """The newest articles that were new to the readers (not copies of known ones)."""
    return [ArticleItem.from_row(row) for row in store.newest_new_articles(limit)]


def _xml_text(text: str) -> str:
    return _NOT_XML.sub("", text)


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
    if text is not None:
        element.text = _xml_text(text)
    return element


def _entry_summary(item: ArticleItem) -> str:
    facts = [KIND_LABELS.get(item.kind, item.kind), "、".join(item.districts)]
    if item.kind == "project":
        facts += [views.headline_amount(item), item.stage or ""]
    if item.kind == "policy":
        facts += [views.policy_title(item), "；".join(item.doc_numbers)]
    head = " · ".join(f for f in facts if f)
    return f"{head}\n{views.one_line(item.summary)}".strip()


def feed_xml(items: list[ArticleItem], reports_dir: Path, public_url: str | None, now: datetime) -> bytes:
    """An Atom feed of `items`, each entry linking to the article itself."""
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed")
    _sub(feed, "title", "portalwatch：新文章")
    _sub(feed, "id", uuid.uuid5(uuid.NAMESPACE_URL, public_url or reports_dir.resolve().as_uri()).urn)
    updated = max((item.first_seen for item in items), default=now)
    _sub(feed, "updated", as_utc(updated).isoformat(timespec="seconds"))
    _sub(feed, "generator", "portalwatch")
    if public_url:
        _sub(feed, "link", href=f"{public_url.rstrip('/')}/{FEED_NAME}", rel="self")
        _sub(feed, "link", href=f"{public_url.rstrip('/')}/{INDEX_NAME}", rel="alternate")
    author = _sub(feed, "author")
    _sub(author, "name", "portalwatch")
    for item in items:
        entry = _sub(feed, "entry")
        _sub(entry, "title", views.one_line(item.title))
        _sub(entry, "id", uuid.uuid5(uuid.NAMESPACE_URL, item.url).urn)
        _sub(entry, "link", href=views.safe_url(item.url), rel="alternate")
        _sub(entry, "updated", as_utc(item.first_seen).isoformat(timespec="seconds"))
        _sub(entry, "category", term=item.kind, label=KIND_LABELS.get(item.kind, item.kind))
        _sub(entry, "summary", _entry_summary(item))
    ET.indent(feed)
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)


def write_feed(store: Store, reports_dir: Path, public_url: str | None, now: datetime) -> Path:
    path = reports_dir / FEED_NAME
    write_text(path, feed_xml(feed_items(store), reports_dir, public_url, now).decode("utf-8"))
    return path


def project_rows(store: Store, portal_titles: dict[str, str]) -> list[dict]:
    """One row per project ever found, as the projects page's table and chart read them."""
    rows = []
    for row in store.projects():
        item = ArticleItem.from_row(row)
        amount = views.headline(item)
        rows.append({
            "id": item.id,
            "day": item.day.isoformat(),
            "month": item.day.isoformat()[:7],
            "district": views.district_of(item),
            "districts": item.districts,
            "title": views.one_line(item.title),
            "url": views.safe_url(item.url),
            "names": item.projects[:3],
            "stage": item.stage or "",
            "amount": views.amount_label(amount),
            "yi": round(views.rank_amount(amount), 4) if amount else None,
            "portal": portal_titles.get(item.portal) or item.portal,
        })
    return rows


def write_projects(store: Store, reports_dir: Path, portal_titles: dict[str, str], now: datetime,
                   tz: ZoneInfo) -> Path:
    """`projects.html`: every project in a table that filters and sorts, and new investment by district and month;
    one self-contained file (data, script and style inline) that works from disk or any static host."""
    rows = project_rows(store, portal_titles)
    html = environment().get_template("projects.html.j2").render(
        rows=rows, districts=sorted({r["district"] for r in rows}, key=views.district_key),
        stages=sorted({r["stage"] for r in rows if r["stage"]}), updated=views.local_time(now, tz),
    )
    path = reports_dir / PROJECTS_NAME
    write_text(path, html)
    return path
