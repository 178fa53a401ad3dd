"""What goes into a digest: pending articles, revisions, republished figures and crawl health, read from the store.

"Pending" means not yet in a sent digest (`digest_id` is NULL): an article is marked only after the digest that
carried it reached every recipient, so nothing falls between two digests. An item carried by a stored digest that
has not reached everyone yet belongs to that digest: no later digest takes it (it would reach a reader twice).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from sqlalchemy import RowMapping

from portalwatch.storage import ItemKind, Store


def as_utc(moment: datetime) -> datetime:
    """A datetime from the store (naive means UTC) or from the caller, as an aware UTC datetime."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


@dataclass(frozen=True)
class ArticleItem:
    """One stored article as the digest shows it."""

    id: int
    url: str
    portal: str
    title: str
    published: date | None
    first_seen: datetime
    kind: str
    districts: list[str]
    amounts: list[dict]
    projects: list[str]
    stage: str | None
    policies: list[str]
    doc_numbers: list[str]
    issuers: list[str]
    summary: str
    duplicate_of: str | None
    duplicate_title: str | None
    number_changes: list[dict]
    attachments: list[str] = field(default_factory=list)  # the article's files (on a policy, often the policy)
    text: str = ""
    partly_repeats: str | None = None
    partly_repeats_title: str | None = None
    partly_repeats_share: float | None = None

    @classmethod
    def from_row(cls, row: RowMapping) -> ArticleItem:
        return cls(
            id=row["id"], url=row["url"], portal=row["portal"], title=row["title"], published=row["published"],
            first_seen=as_utc(row["first_seen"]), kind=row["kind"], districts=list(row["districts"] or []),
            amounts=list(row["amounts"] or []), projects=list(row["projects"] or []), stage=row["stage"],
            policies=list(row["policies"] or []), doc_numbers=list(row["doc_numbers"] or []),
            issuers=list(row["issuers"] or []), summary=row["summary"] or "", duplicate_of=row["duplicate_of"],
            duplicate_title=row["duplicate_title"], number_changes=list(row["number_changes"] or []),
            attachments=list(row["attachments"] or []),
            partly_repeats=row["partly_repeats"], partly_repeats_title=row["partly_repeats_title"],
            partly_repeats_share=row["partly_repeats_share"],
            text=row["text"] or "",
        )

    @property
    def repeats_note(self) -> str:
        """'部分重复:《title》(45%)' for a new article that repeats part of a known one, else ''."""
        if not self.partly_repeats or self.partly_repeats_share is None:
            return ""
        name = self.partly_repeats_title or self.partly_repeats
        return f"部分重复：《{name}》（{self.partly_repeats_share:.0%}）"

    @property
    def day(self) -> date:
        """The publication date, else the day it was first seen."""
        return self.published or self.first_seen.date()


@dataclass(frozen=True)
class RevisionItem:
    """A page already reported that changed since: its oldest and newest text in this period."""

    article_id: int
    url: str
    portal: str
    old_title: str
    new_title: str
    old_text: str
    new_text: str
    seen_at: datetime
    count: int
    kind: str = "other"  # the article's facts as classified after its last change
    districts: tuple[str, ...] = ()
    amounts: tuple[dict, ...] = ()
    stage: str | None = None
    doc_numbers: tuple[str, ...] = ()


@dataclass
class PortalHealth:
    """How one portal's crawls went during the period."""

    portal: str
    runs: int = 0
    fetched: int = 0
    new: int = 0
    duplicate: int = 0
    revised: int = 0
    errors: int = 0
    failed_runs: int = 0
    status: str = "not crawled"  # status of the latest run: ok | failed | blocked, or "not crawled"
    message: str | None = None
    reasons: dict[str, int] = field(default_factory=dict)

    @property
    def healthy(self) -> bool:
        return self.status == "ok" and self.failed_runs == 0


@dataclass
class DigestContent:
    """Everything one digest reports, and the store ids it covers."""

    period_start: datetime | None
    period_end: datetime
    projects: list[ArticleItem]
    policies: list[ArticleItem]
    others: list[ArticleItem]
    republished: list[ArticleItem]
    revisions: list[RevisionItem]
    duplicates: int
    health: list[PortalHealth]
    article_ids: list[int]
    revision_ids: list[int]
    revision_pages: dict[int, int] = field(default_factory=dict)  # revision id -> its article's id
    portal_titles: dict[str, str] = field(default_factory=dict)  # portal name -> the name readers know

    def portal_title(self, portal: str) -> str:
        """A portal as readers know it (its `title:` in the config), else its config name."""
        return self.portal_titles.get(portal) or portal

    @property
    def is_empty(self) -> bool:
        """True when there is nothing new for a reader (crawl health alone is not news)."""
        return not (self.projects or self.policies or self.others or self.republished or self.revisions)

    @property
    def portals(self) -> list[str]:
        """Portals crawled during the period."""
        return [h.portal for h in self.health if h.runs]

    @property
    def counts(self) -> dict[str, int]:
        return {
            "projects": len(self.projects),
            "policies": len(self.policies),
            "others": len(self.others),
            "revisions": len(self.revisions),
            "republished": len(self.republished),
            "duplicates": self.duplicates,
            "portals": len(self.portals),
            "portal_problems": sum(1 for h in self.health if h.runs and not h.healthy),
        }


def collect(store: Store, now: datetime, since: datetime | None = None,
            portal_names: Iterable[str] = ()) -> DigestContent:
    """What a digest made at `now` reports: pending items, or everything first seen since `since`."""
    if since is None:
        previous = store.last_sent_digest()
        period_start = as_utc(previous["period_end"]) if previous else None
    else:
        period_start = as_utc(since)
    claimed = store.claimed_items() if since is None else {kind: set() for kind in ItemKind}
    rows = [row for row in store.digest_articles(now, since) if row["id"] not in claimed[ItemKind.ARTICLE]]
    revision_rows = [row for row in store.digest_revisions(now, since)
                     if row["id"] not in claimed[ItemKind.REVISION]]
    return _content(store, period_start, now, rows, revision_rows, portal_names)


def collect_unsent(store: Store, now: datetime, subscription: str, starts_at: datetime | None,
                   portal_names: Iterable[str] = ()) -> DigestContent:
    """Everything first seen since `starts_at` that subscription `subscription` was not sent yet."""
    previous = store.last_sent_to(subscription)
    period_start = as_utc(previous["period_end"]) if previous else (as_utc(starts_at) if starts_at else None)
    claimed = store.claimed_items(subscription)
    rows = [r for r in store.unsent_articles(subscription, starts_at, now) if r["id"] not in claimed[ItemKind.ARTICLE]]
    revision_rows = [r for r in store.unsent_revisions(subscription, starts_at, now)
                     if r["id"] not in claimed[ItemKind.REVISION]]
    return _content(store, period_start, now, rows, revision_rows, portal_names)


def _content(store: Store, period_start: datetime | None, now: datetime, rows: list[RowMapping],
             revision_rows: list[RowMapping], portal_names: Iterable[str]) -> DigestContent:
    fresh = [ArticleItem.from_row(row) for row in rows]
    new = [a for a in fresh if a.duplicate_of is None]
    republished = [a for a in fresh if a.duplicate_of is not None and a.number_changes]
    new_ids = {a.id for a in new}
    return DigestContent(
        period_start=period_start,
        period_end=as_utc(now),
        projects=[a for a in new if a.kind == "project"],
        policies=[a for a in new if a.kind == "policy"],
        others=[a for a in new if a.kind not in ("project", "policy")],
        republished=republished,
        revisions=_group_revisions(r for r in revision_rows if r["article_id"] not in new_ids),
        duplicates=sum(1 for a in fresh if a.duplicate_of is not None and not a.number_changes),
        health=_health(store, period_start, now, portal_names),
        article_ids=[a.id for a in fresh],
        revision_ids=[r["id"] for r in revision_rows],
        revision_pages={r["id"]: r["article_id"] for r in revision_rows},
    )


def _group_revisions(rows: Iterable[RowMapping]) -> list[RevisionItem]:
    """One item per article: the text before its first change and after its last."""
    grouped: dict[int, list[RowMapping]] = {}
    for row in rows:
        grouped.setdefault(row["article_id"], []).append(row)
    items = []
    for article_id, group in grouped.items():
        first, last = group[0], group[-1]
        items.append(RevisionItem(
            article_id=article_id, url=last["url"], portal=last["portal"],
            old_title=first["old_title"], new_title=last["new_title"],
            old_text=first["old_text"], new_text=last["new_text"],
            seen_at=as_utc(last["seen_at"]), count=len(group),
            kind=last["kind"], districts=tuple(last["districts"] or ()), amounts=tuple(last["amounts"] or ()),
            stage=last["stage"], doc_numbers=tuple(last["doc_numbers"] or ()),
        ))
    return items


def _health(store: Store, start: datetime | None, now: datetime, portal_names: Iterable[str]) -> list[PortalHealth]:
    """Per-portal crawl figures of the runs started in the period; configured portals never crawled too."""
    run_rows = store.portal_runs_between(start, now)
    reasons = store.error_reasons_between(start, now)
    health = {name: PortalHealth(name) for name in portal_names}
    for row in run_rows:
        h = health.setdefault(row["portal"], PortalHealth(row["portal"]))
        h.runs += 1
        h.fetched += row["articles_fetched"]
        h.new += row["new"]
        h.duplicate += row["duplicate"]
        h.revised += row["revised"]
        h.errors += row["errors"]
        h.status = row["status"]
        if row["status"] != "ok":
            h.failed_runs += 1
            h.message = row["message"] or h.message
    for (portal, reason), count in reasons.items():
        health.setdefault(portal, PortalHealth(portal)).reasons[reason] = count
    return sorted(health.values(), key=lambda h: (h.healthy, h.portal))
