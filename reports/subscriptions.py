"""Which items a subscription wants: its filters applied to one digest's content."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime, timedelta

from portalwatch.classify.districts import ALIASES, CITY
from portalwatch.config import DEFAULT_SUBSCRIPTION, Subscription, SubscriptionFilters
from portalwatch.storage import ItemKind, Store
from reports import views
from reports.collect import ArticleItem, DigestContent, RevisionItem, collect, collect_unsent

# A subscription added to the config starts with what was first seen in the week before it was first used.
FIRST_DIGEST_REACH = timedelta(days=7)
_CANONICAL = {alias: name for name, aliases in ALIASES.items() for alias in (name, *aliases)}


def canonical_districts(names: list[str]) -> set[str]:
    """The filter's districts as the classifier names them (黄岛区 -> 西海岸新区); unknown names kept as written."""
    return {_CANONICAL.get(name, CITY if name in ("青岛", "全市") else name) for name in names}


def _wanted(f: SubscriptionFilters, *, portal: str, kind: str, districts: list[str] | tuple[str, ...],
            headline: dict | None, stage: str | None, doc_numbers: list[str] | tuple[str, ...],
            words: str) -> bool:
    if f.portals and portal not in f.portals:
        return False
    if f.kinds and kind not in f.kinds:
        return False
    if f.districts and not canonical_districts(f.districts) & set(districts):
        return False
    too_small = headline is None or views.rank_amount(headline) < (f.min_amount_yi or 0)
    if kind == "project" and f.min_amount_yi is not None and too_small:
        return False
    if kind == "project" and f.stages and stage not in f.stages:
        return False
    if f.with_doc_number and not doc_numbers:
        return False
    if f.include and not any(word in words for word in f.include):
        return False
    return not any(word in words for word in f.exclude)


def wants_article(f: SubscriptionFilters, item: ArticleItem) -> bool:
    """True when an article passes every filter (amount and stage filters concern projects only)."""
    return _wanted(f, portal=item.portal, kind=item.kind, districts=item.districts, headline=views.headline(item),
                   stage=item.stage, doc_numbers=item.doc_numbers, words=f"{item.title}\n{item.text}")


def wants_revision(f: SubscriptionFilters, item: RevisionItem) -> bool:
    """True when a changed page passes every filter, judged on its article's facts after the change."""
    first = item.amounts[0] if item.amounts and item.amounts[0].get("own", True) else None
    return _wanted(f, portal=item.portal, kind=item.kind, districts=item.districts, headline=first,
                   stage=item.stage, doc_numbers=item.doc_numbers,
                   words=f"{item.new_title}\n{item.new_text}\n{item.old_title}\n{item.old_text}")


def filtered(content: DigestContent, sub: Subscription) -> DigestContent:
    """The part of `content` `sub` wants. What it does not want stays unsent to it (a later, wider filter gets
    it); plain duplicates are news to nobody and count as carried."""
    f = sub.filters

    def keep(items: list[ArticleItem]) -> list[ArticleItem]:
        return [a for a in items if wants_article(f, a)]

    projects, policies, others = keep(content.projects), keep(content.policies), keep(content.others)
    republished = keep(content.republished)
    revisions = [r for r in content.revisions if wants_revision(f, r)]
    shown = {a.id for a in (*projects, *policies, *others, *republished)}
    unwanted = {a.id for a in (*content.projects, *content.policies, *content.others, *content.republished)} - shown
    wanted_pages = {r.article_id for r in revisions}
    unwanted_pages = {r.article_id for r in content.revisions} - wanted_pages
    return replace(
        content, projects=projects, policies=policies, others=others, republished=republished, revisions=revisions,
        article_ids=[i for i in content.article_ids if i not in unwanted],
        revision_ids=[i for i, page in content.revision_pages.items() if page not in unwanted_pages],
    )


def start_of(store: Store, sub: Subscription, now: datetime) -> datetime | None:
    """Where `sub`'s news begins: everything for the subscription `email.to` stands for (it takes over the
    digests sent before subscriptions existed), the week before its first use for any other."""
    if sub.name == DEFAULT_SUBSCRIPTION:
        return store.subscription_start(sub.name, None, inherit_sent=True)
    return store.subscription_start(sub.name, now - FIRST_DIGEST_REACH)


def _next_reach(store: Store, sub: Subscription, now: datetime) -> tuple[bool, datetime | None]:
    """How `sub`'s next digest is drawn, read only: (by its own ledger, from when). The default subscription
    no digest used yet takes over from the digests sent before subscriptions existed (not by its ledger); any
    other starts as `start_of` would start it."""
    starts = store.subscription_starts()
    if sub.name in starts:
        return True, starts[sub.name]
    if sub.name == DEFAULT_SUBSCRIPTION:
        return False, None
    return True, now - FIRST_DIGEST_REACH


def next_digest(store: Store, sub: Subscription, now: datetime, portal_names: Iterable[str]) -> DigestContent:
    """What `sub`'s next digest would hold at `now`, read only: a subscription no digest used yet is not
    recorded."""
    by_ledger, since = _next_reach(store, sub, now)
    portal_names = list(portal_names)
    content = (collect_unsent(store, now, sub.name, since, portal_names) if by_ledger
               else collect(store, now, None, portal_names))
    return filtered(content, sub)


def next_counts(store: Store, sub: Subscription, now: datetime, portal_names: Iterable[str]) -> dict[str, int]:
    """The counts of `sub`'s next digest at `now`: counted in the database when it has no filters (nothing is
    loaded), else those of `next_digest`."""
    if sub.filters != SubscriptionFilters():
        return next_digest(store, sub, now, portal_names).counts
    by_ledger, since = _next_reach(store, sub, now)
    return store.unsent_counts(sub.name, since, now) if by_ledger else store.pending_counts(now)


def carried(content: DigestContent) -> dict[ItemKind, list[int]]:
    """What a sent digest gave its subscription, for the ledger."""
    return {ItemKind.ARTICLE: list(content.article_ids), ItemKind.REVISION: list(content.revision_ids)}
