"""The SQL store: articles, their revisions, crawl runs and digests (SQLAlchemy Core).

SQLite by default; nothing here rules out PostgreSQL. Every write is one transaction, so a crash loses
nothing already stored and never leaves half an article.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    Date,
    DateTime,
    Engine,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    RowMapping,
    String,
    Table,
    Text,
    UniqueConstraint,
    create_engine,
    delete,
    event,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.engine import Connection

from portalwatch.models import Classification, CrawledArticle, Verdict

metadata = MetaData()

digests = Table(
    "digests",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("period_start", DateTime(timezone=True)),
    Column("period_end", DateTime(timezone=True), nullable=False),
    Column("status", String(16), nullable=False),  # sending | queued | sent | failed | interrupted
    Column("sent_at", DateTime(timezone=True)),
    Column("message_id", String(255)),
    Column("path", String(1024)),
    Column("counts", JSON, nullable=False, default=dict),
    Column("error", Text),
)

articles = Table(
    "articles",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("url", String(2048), nullable=False, unique=True),
    Column("portal", String(128), nullable=False, index=True),
    Column("title", Text, nullable=False),
    Column("published", Date),
    Column("text", Text, nullable=False),
    Column("content_hash", String(64), nullable=False, index=True),
    Column("first_seen", DateTime(timezone=True), nullable=False, index=True),
    Column("last_seen", DateTime(timezone=True), nullable=False),
    Column("status", String(16), nullable=False),  # new | duplicate | revised
    Column("duplicate_of", String(2048)),
    Column("duplicate_title", Text),
    Column("similarity", Float),
    Column("number_changes", JSON, nullable=False, default=list),
    Column("kind", String(16), nullable=False, default="other"),
    Column("districts", JSON, nullable=False, default=list),
    Column("amounts", JSON, nullable=False, default=list),
    Column("projects", JSON, nullable=False, default=list),
    Column("stage", String(16)),
    Column("policies", JSON, nullable=False, default=list),
    Column("doc_numbers", JSON, nullable=False, default=list),
    Column("issuers", JSON, nullable=False, default=list),
    Column("summary", Text, nullable=False, default=""),
    Column("attachments", JSON, nullable=False, default=list),
    Column("etag", String(512)),
    Column("last_modified", String(64)),
    Column("digest_id", ForeignKey("digests.id"), index=True),
    # a new article that repeats part of a known one: which, its title, the share of this text it holds
    Column("partly_repeats", String(2048)),
    Column("partly_repeats_title", Text),
    Column("partly_repeats_share", Float),
    Column("new_chars", Integer),  # characters found in no known article
)

revisions = Table(
    "revisions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("article_id", ForeignKey("articles.id"), nullable=False, index=True),
    Column("seen_at", DateTime(timezone=True), nullable=False),
    Column("old_title", Text, nullable=False),
    Column("new_title", Text, nullable=False),
    Column("old_text", Text, nullable=False),
    Column("new_text", Text, nullable=False),
    Column("digest_id", ForeignKey("digests.id"), index=True),
)

crawl_runs = Table(
    "crawl_runs",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True)),
    Column("status", String(16), nullable=False),  # running | ok | partial | failed | killed
    Column("trigger", String(32), nullable=False),  # cli | daemon | run-once | demo | scrapy
)

portal_runs = Table(
    "portal_runs",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("run_id", ForeignKey("crawl_runs.id"), nullable=False, index=True),
    Column("portal", String(128), nullable=False),
    Column("status", String(16), nullable=False),  # ok | failed | blocked
    Column("list_pages", Integer, nullable=False, default=0),
    Column("articles_fetched", Integer, nullable=False, default=0),
    Column("not_modified", Integer, nullable=False, default=0),
    Column("new", Integer, nullable=False, default=0),
    Column("duplicate", Integer, nullable=False, default=0),
    Column("revised", Integer, nullable=False, default=0),
    Column("errors", Integer, nullable=False, default=0),
    Column("message", Text),
)

crawl_errors = Table(
    "crawl_errors",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("run_id", ForeignKey("crawl_runs.id"), nullable=False, index=True),
    Column("portal", String(128), nullable=False),
    Column("url", String(2048)),
    Column("reason", String(64), nullable=False),  # http-503, timeout, parse, blocked, ...
    Column("detail", Text),
    Column("at", DateTime(timezone=True), nullable=False),
)


# Boilerplate learned from repetition: how many pages of a scope (a portal) were seen, and on how many of
# them each short line (by `textnorm.line_key`) stood. A line seen once and not again within
# BOILERPLATE_HORIZON pages of its scope is forgotten, so the table holds furniture, not every line.
boilerplate_scopes = Table(
    "boilerplate_scopes",
    metadata,
    Column("scope", String(128), primary_key=True),
    Column("pages", Integer, nullable=False),
)

boilerplate_lines = Table(
    "boilerplate_lines",
    metadata,
    Column("scope", String(128), primary_key=True),
    Column("line_key", BigInteger, primary_key=True),
    Column("pages", Integer, nullable=False),
    Column("first_page", Integer, nullable=False),
    Index("ix_boilerplate_lines_scope_pages", "scope", "pages"),
)
BOILERPLATE_HORIZON = 1000


class DeliveryState(StrEnum):
    """Where one recipient of a stored message stands."""

    PENDING = "pending"  # not tried yet, or the server deferred it (4xx): it goes out with the next attempt
    UNKNOWN = "unknown"  # the message went past DATA but no 250 was recorded: re-sent with the same Message-ID
    SENT = "sent"  # the server answered 250 to DATA for this recipient
    FAILED = "failed"  # the server refused this recipient (5xx): reported, and tried again next time


class MessageKind(StrEnum):
    """What a stored message is."""

    DIGEST = "digest"
    ALERT = "alert"


# The 政府信息公开 table of an article's page (索引号, 发布机构, 文号, 成文日期 ...), kept for reclassification.
article_meta = Table(
    "article_meta",
    metadata,
    Column("article_id", ForeignKey("articles.id"), primary_key=True),
    Column("meta", JSON, nullable=False),
)


class ItemKind(StrEnum):
    """What a digest message carries: stored articles and revisions."""

    ARTICLE = "article"
    REVISION = "revision"


# Subscriptions: when each began, which digest went to which, and the ledger of every item each was sent.
subscriptions = Table(
    "subscriptions",
    metadata,
    Column("name", String(128), primary_key=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("starts_at", DateTime(timezone=True)),  # items first seen before this are not its news; NULL: all
)

subscription_digests = Table(
    "subscription_digests",
    metadata,
    Column("digest_id", ForeignKey("digests.id"), primary_key=True),
    Column("subscription", String(128), nullable=False, index=True),
)

subscription_ledger = Table(
    "subscription_ledger",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("subscription", String(128), nullable=False),
    Column("item_kind", String(16), nullable=False),  # ItemKind
    Column("item_id", Integer, nullable=False),
    Column("digest_id", ForeignKey("digests.id"), nullable=False, index=True),
    Column("sent_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("subscription", "item_kind", "item_id"),
)

# The outbox: every message stored whole before its first attempt, one row per recipient with its own state.
outbox = Table(
    "outbox",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("message_id", String(255), nullable=False, unique=True),
    Column("kind", String(16), nullable=False),  # MessageKind
    Column("digest_id", ForeignKey("digests.id"), index=True),
    Column("subject", Text, nullable=False),
    Column("sender", String(320), nullable=False),  # the envelope MAIL FROM
    Column("raw", LargeBinary, nullable=False),  # the whole message as it goes on the wire, every part
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("delivered_at", DateTime(timezone=True)),  # when the last recipient got it
)

outbox_recipients = Table(
    "outbox_recipients",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("outbox_id", ForeignKey("outbox.id"), nullable=False, index=True),
    Column("address", String(320), nullable=False),
    Column("state", String(16), nullable=False),  # DeliveryState
    Column("attempts", Integer, nullable=False, default=0),
    Column("last_attempt_at", DateTime(timezone=True)),
    Column("sent_at", DateTime(timezone=True)),
    Column("error", Text),  # the server's last answer, scrubbed of secrets
    UniqueConstraint("outbox_id", "address"),
)

outbox_items = Table(
    "outbox_items",
    metadata,
    Column("outbox_id", ForeignKey("outbox.id"), primary_key=True),
    Column("kind", String(16), primary_key=True),  # ItemKind
    Column("item_id", Integer, primary_key=True, index=True),
)


def utcnow() -> datetime:
    return datetime.now(UTC)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def make_engine(url: str) -> Engine:
    """An engine for `url`; a SQLite file and its folder are created on first use."""
    if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
        Path(url[len("sqlite:///"):]).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    metadata.create_all(engine)
    return engine


def classification_values(c: Classification) -> dict:
    """The article columns that hold a classification."""
    return {
        "kind": c.kind,
        "districts": list(c.districts),
        "amounts": [a.to_dict() for a in c.amounts],
        "projects": list(c.projects),
        "stage": c.stage,
        "policies": list(c.policies),
        "doc_numbers": list(c.doc_numbers),
        "issuers": list(c.issuers),
        "summary": c.summary,
    }


class Store:
    """Transactional access to the portalwatch database."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        with self.engine.begin() as conn:
            yield conn

    # --- articles -------------------------------------------------------------------------------
    def get_article(self, url: str) -> RowMapping | None:
        with self.engine.connect() as conn:
            return conn.execute(select(articles).where(articles.c.url == url)).mappings().first()

    def insert_article(
        self,
        item: CrawledArticle,
        content_hash: str,
        verdict: Verdict,
        classification: Classification,
        seen_at: datetime | None = None,
    ) -> int:
        """Store a first-seen article with its dedupe verdict and classification; return its id."""
        seen_at = seen_at or utcnow()
        match = verdict.duplicate_of
        values = {
            "url": item.url,
            "portal": item.portal,
            "title": item.title,
            "published": item.published,
            "text": item.text,
            "content_hash": content_hash,
            "first_seen": seen_at,
            "last_seen": seen_at,
            "status": verdict.status,
            "duplicate_of": match.source if match else None,
            "duplicate_title": match.title if match else None,
            "similarity": match.score if match else None,
            "partly_repeats": verdict.partly_repeats.source if verdict.partly_repeats else None,
            "partly_repeats_title": verdict.partly_repeats.title if verdict.partly_repeats else None,
            "partly_repeats_share": verdict.partly_repeats.contained if verdict.partly_repeats else None,
            "new_chars": verdict.new_chars,
            "number_changes": [asdict(change) for change in verdict.changes],
            "attachments": list(item.attachments),
            "etag": item.etag,
            "last_modified": item.last_modified,
            **classification_values(classification),
        }
        with self.transaction() as conn:
            article_id = conn.execute(insert(articles).values(**values)).inserted_primary_key[0]
            if item.meta:
                conn.execute(insert(article_meta).values(article_id=article_id, meta=dict(item.meta)))
            return article_id

    def record_revision(
        self,
        article: RowMapping,
        item: CrawledArticle,
        content_hash: str,
        classification: Classification,
        seen_at: datetime | None = None,
    ) -> int:
        """Keep the old and new text of a changed page and mark the article `revised`."""
        seen_at = seen_at or utcnow()
        with self.transaction() as conn:
            revision_id = conn.execute(
                insert(revisions).values(
                    article_id=article["id"],
                    seen_at=seen_at,
                    old_title=article["title"],
                    new_title=item.title,
                    old_text=article["text"],
                    new_text=item.text,
                )
            ).inserted_primary_key[0]
            conn.execute(
                update(articles)
                .where(articles.c.id == article["id"])
                .values(
                    title=item.title,
                    text=item.text,
                    published=item.published or article["published"],
                    content_hash=content_hash,
                    last_seen=seen_at,
                    status="revised",
                    attachments=list(item.attachments),
                    etag=item.etag,
                    last_modified=item.last_modified,
                    **classification_values(classification),
                )
            )
            conn.execute(delete(article_meta).where(article_meta.c.article_id == article["id"]))
            if item.meta:
                conn.execute(insert(article_meta).values(article_id=article["id"], meta=dict(item.meta)))
        return revision_id

    def touch_article(self, article_id: int, etag: str | None, last_modified: str | None) -> None:
        """Note that an article was seen unchanged (and keep its validators for the next 304)."""
        with self.transaction() as conn:
            conn.execute(
                update(articles)
                .where(articles.c.id == article_id)
                .values(last_seen=utcnow(), etag=etag, last_modified=last_modified)
            )

    def update_classification(self, article_id: int, c: Classification) -> None:
        with self.transaction() as conn:
            conn.execute(update(articles).where(articles.c.id == article_id).values(**classification_values(c)))

    def article_metadata(self) -> dict[int, dict[str, str]]:
        """The xxgk table of every article whose page had one, by article id."""
        with self.engine.connect() as conn:
            return {row.article_id: dict(row.meta) for row in conn.execute(select(article_meta))}

    def iter_articles(self) -> Iterator[RowMapping]:
        """Every stored article, oldest first."""
        with self.engine.connect() as conn:
            yield from conn.execute(select(articles).order_by(articles.c.id)).mappings()

    def iter_article_texts(self, after_id: int = 0) -> Iterator[tuple[int, str, str, str]]:
        """(id, url, title, text) of articles with an id above `after_id`, for the dedupe index."""
        query = (
            select(articles.c.id, articles.c.url, articles.c.title, articles.c.text)
            .where(articles.c.id > after_id)
            .order_by(articles.c.id)
        )
        with self.engine.connect() as conn:
            for row in conn.execute(query):
                yield row.id, row.url, row.title, row.text

    def known_urls(self, portal: str) -> set[str]:
        with self.engine.connect() as conn:
            return set(conn.execute(select(articles.c.url).where(articles.c.portal == portal)).scalars())

    def revisit_candidates(self, portal: str, since: datetime) -> list[RowMapping]:
        """Articles of `portal` first seen after `since`: re-checked with conditional requests."""
        query = (
            select(articles.c.id, articles.c.url, articles.c.etag, articles.c.last_modified)
            .where(articles.c.portal == portal, articles.c.first_seen >= since)
            .order_by(articles.c.id)
        )
        with self.engine.connect() as conn:
            return list(conn.execute(query).mappings())

    def count_articles(self, **where: str) -> int:
        query = select(func.count()).select_from(articles)
        for column, value in where.items():
            query = query.where(articles.c[column] == value)
        with self.engine.connect() as conn:
            return conn.execute(query).scalar_one()

    # --- learned boilerplate ------------------------------------------------------------------
    def learn_lines(self, scope: str, keys: set[int]) -> int:
        """Count one more page of `scope` holding the lines `keys`; returns the scope's page count."""
        with self.transaction() as conn:
            pages = conn.execute(
                select(boilerplate_scopes.c.pages).where(boilerplate_scopes.c.scope == scope)
            ).scalar_one_or_none()
            if pages is None:
                conn.execute(insert(boilerplate_scopes).values(scope=scope, pages=1))
                pages = 1
            else:
                pages += 1
                conn.execute(update(boilerplate_scopes).where(boilerplate_scopes.c.scope == scope).values(pages=pages))
            if keys:
                known = set(conn.execute(
                    select(boilerplate_lines.c.line_key).where(
                        boilerplate_lines.c.scope == scope, boilerplate_lines.c.line_key.in_(list(keys)))
                ).scalars())
                if known:
                    conn.execute(
                        update(boilerplate_lines)
                        .where(boilerplate_lines.c.scope == scope, boilerplate_lines.c.line_key.in_(list(known)))
                        .values(pages=boilerplate_lines.c.pages + 1)
                    )
                fresh = [{"scope": scope, "line_key": k, "pages": 1, "first_page": pages} for k in keys - known]
                if fresh:
                    conn.execute(insert(boilerplate_lines), fresh)
            if pages % 100 == 0:  # forget lines that did not repeat within the horizon
                conn.execute(boilerplate_lines.delete().where(
                    boilerplate_lines.c.scope == scope, boilerplate_lines.c.pages == 1,
                    boilerplate_lines.c.first_page < pages - BOILERPLATE_HORIZON))
        return pages

    def learned_lines(self, scope: str, min_pages: int) -> frozenset[int]:
        """Keys of the lines seen on at least `min_pages` pages of `scope`."""
        query = select(boilerplate_lines.c.line_key).where(
            boilerplate_lines.c.scope == scope, boilerplate_lines.c.pages >= min_pages)
        with self.engine.connect() as conn:
            return frozenset(conn.execute(query).scalars())

    # --- crawl runs ----------------------------------------------------------------------------
    def start_run(self, trigger: str) -> int:
        with self.transaction() as conn:
            return conn.execute(
                insert(crawl_runs).values(started_at=utcnow(), status="running", trigger=trigger)
            ).inserted_primary_key[0]

    def finish_run(self, run_id: int, status: str) -> None:
        with self.transaction() as conn:
            conn.execute(
                update(crawl_runs).where(crawl_runs.c.id == run_id).values(finished_at=utcnow(), status=status)
            )

    def record_portal_run(self, run_id: int, portal: str, status: str, message: str | None = None,
                          **counts: int) -> None:
        """Per-portal statistics of one run (list_pages, articles_fetched, new, duplicate, ...)."""
        with self.transaction() as conn:
            conn.execute(
                insert(portal_runs).values(run_id=run_id, portal=portal, status=status, message=message, **counts)
            )

    def record_error(self, run_id: int, portal: str, url: str | None, reason: str, detail: str = "") -> None:
        with self.transaction() as conn:
            conn.execute(
                insert(crawl_errors).values(
                    run_id=run_id, portal=portal, url=url, reason=reason, detail=detail, at=utcnow()
                )
            )

    def error_urls(self, portal: str) -> set[str]:
        """URLs of `portal` that ever ended in a recorded crawl error (they do not keep paging going)."""
        query = select(crawl_errors.c.url).where(crawl_errors.c.portal == portal, crawl_errors.c.url.is_not(None))
        with self.engine.connect() as conn:
            return set(conn.execute(query.distinct()).scalars())

    # --- outbox --------------------------------------------------------------------------------
    def queue_message(self, *, message_id: str, kind: MessageKind, subject: str, sender: str, raw: bytes,
                      recipients: list[str], digest_id: int | None = None,
                      items: dict[ItemKind, list[int]] | None = None) -> int:
        """Store a message whole, its recipients `pending` and the items it carries; a digest becomes `queued`."""
        now = utcnow()
        with self.transaction() as conn:
            outbox_id = conn.execute(insert(outbox).values(
                message_id=message_id, kind=kind.value, digest_id=digest_id, subject=subject, sender=sender,
                raw=raw, created_at=now,
            )).inserted_primary_key[0]
            conn.execute(insert(outbox_recipients), [
                {"outbox_id": outbox_id, "address": address, "state": DeliveryState.PENDING.value, "attempts": 0}
                for address in dict.fromkeys(recipients)
            ])
            rows = [{"outbox_id": outbox_id, "kind": kind_.value, "item_id": item_id}
                    for kind_, ids in (items or {}).items() for item_id in dict.fromkeys(ids)]
            if rows:
                conn.execute(insert(outbox_items), rows)
            if digest_id is not None:
                conn.execute(update(digests).where(digests.c.id == digest_id).values(
                    status="queued", message_id=message_id))
        return outbox_id

    def undelivered_messages(self) -> list[RowMapping]:
        """Stored messages some recipient has not got yet, oldest first."""
        query = select(outbox).where(outbox.c.delivered_at.is_(None)).order_by(outbox.c.id)
        with self.engine.connect() as conn:
            return list(conn.execute(query).mappings())

    def outbox_message(self, outbox_id: int) -> RowMapping | None:
        with self.engine.connect() as conn:
            return conn.execute(select(outbox).where(outbox.c.id == outbox_id)).mappings().first()

    def recent_messages(self, limit: int) -> list[RowMapping]:
        """Every undelivered message and the `limit` newest delivered ones, newest first (no message bodies)."""
        columns = [c for c in outbox.c if c.name != "raw"]
        with self.engine.connect() as conn:
            undelivered = list(conn.execute(select(*columns).where(outbox.c.delivered_at.is_(None))).mappings())
            delivered = list(conn.execute(select(*columns).where(outbox.c.delivered_at.is_not(None))
                                          .order_by(outbox.c.id.desc()).limit(limit)).mappings())
        return sorted(undelivered + delivered, key=lambda row: row["id"], reverse=True)

    def message_recipients(self, outbox_id: int) -> list[RowMapping]:
        query = select(outbox_recipients).where(outbox_recipients.c.outbox_id == outbox_id).order_by(
            outbox_recipients.c.id)
        with self.engine.connect() as conn:
            return list(conn.execute(query).mappings())

    def claimed_items(self, subscription: str | None = None) -> dict[ItemKind, set[int]]:
        """Articles and revisions carried by a message not yet at every recipient: no new digest takes them.

        With `subscription`, only that subscription's messages count (another's claim is not its own)."""
        query = (select(outbox_items.c.kind, outbox_items.c.item_id)
                 .join(outbox, outbox.c.id == outbox_items.c.outbox_id)
                 .where(outbox.c.delivered_at.is_(None)))
        if subscription is not None:
            query = query.join(subscription_digests, subscription_digests.c.digest_id == outbox.c.digest_id).where(
                subscription_digests.c.subscription == subscription)
        claimed: dict[ItemKind, set[int]] = {kind: set() for kind in ItemKind}
        with self.engine.connect() as conn:
            for kind, item_id in conn.execute(query):
                claimed[ItemKind(kind)].add(item_id)
        return claimed

    def set_delivery_state(self, outbox_id: int, addresses: list[str], state: DeliveryState,
                           error: str | None = None, *, attempt: bool = False) -> bool:
        """Record where `addresses` stand (an `attempt` counts one more try); True once every recipient has it.

        The write that makes the last recipient `sent` also marks the message delivered and, for a digest,
        the digest `sent` and its items delivered: one transaction, so a crash leaves all or none of it.
        """
        now = utcnow()
        values: dict = {"state": state.value, "error": error}
        if state is DeliveryState.SENT:
            values["sent_at"] = now
        if attempt:
            values.update(attempts=outbox_recipients.c.attempts + 1, last_attempt_at=now)
        with self.transaction() as conn:
            if addresses:
                conn.execute(update(outbox_recipients).where(
                    outbox_recipients.c.outbox_id == outbox_id, outbox_recipients.c.address.in_(addresses),
                ).values(**values))
            if state is not DeliveryState.SENT:
                return False
            waiting = conn.execute(select(func.count()).select_from(outbox_recipients).where(
                outbox_recipients.c.outbox_id == outbox_id,
                outbox_recipients.c.state != DeliveryState.SENT.value)).scalar_one()
            if waiting:
                return False
            self._complete(conn, outbox_id, now)
        return True

    def _complete(self, conn: Connection, outbox_id: int, now: datetime) -> None:
        """The message reached every recipient: it, its digest and the items it carries are delivered."""
        conn.execute(update(outbox).where(outbox.c.id == outbox_id).values(delivered_at=now))
        digest_id = conn.execute(select(outbox.c.digest_id).where(outbox.c.id == outbox_id)).scalar_one()
        if digest_id is None:
            return
        conn.execute(update(digests).where(digests.c.id == digest_id).values(status="sent", sent_at=now, error=None))
        items: dict[ItemKind, list[int]] = {}
        for kind, table in ((ItemKind.ARTICLE, articles), (ItemKind.REVISION, revisions)):
            carried = select(outbox_items.c.item_id).where(
                outbox_items.c.outbox_id == outbox_id, outbox_items.c.kind == kind.value)
            # an item belongs to the first digest that reached a reader with it (subscriptions share items)
            conn.execute(update(table).where(table.c.id.in_(carried), table.c.digest_id.is_(None))
                         .values(digest_id=digest_id))
            items[kind] = list(conn.execute(carried).scalars())
        self._record_ledger(conn, digest_id, items, now)

    def note_digest_error(self, digest_id: int, error: str | None) -> None:
        """Why a queued digest has not reached every recipient yet (scrubbed of secrets)."""
        with self.transaction() as conn:
            conn.execute(update(digests).where(digests.c.id == digest_id, digests.c.status != "sent").values(
                error=error))
    # --- subscriptions -------------------------------------------------------------------------
    def subscription_start(self, name: str, starts_at: datetime | None, *,
                           inherit_sent: bool = False) -> datetime | None:
        """When subscription `name` starts; one seen for the first time is recorded as starting at `starts_at`.

        With `inherit_sent` a new subscription counts every item a sent digest carried as sent to it (the
        subscription `email.to` stands for takes over from the digests made before subscriptions existed).
        """
        with self.transaction() as conn:
            row = conn.execute(select(subscriptions).where(subscriptions.c.name == name)).mappings().first()
            if row is not None:
                return row["starts_at"]
            now = utcnow()
            conn.execute(insert(subscriptions).values(name=name, created_at=now, starts_at=starts_at))
            if inherit_sent:
                for table, kind in ((articles, ItemKind.ARTICLE), (revisions, ItemKind.REVISION)):
                    carried = conn.execute(select(table.c.id, table.c.digest_id).where(table.c.digest_id.is_not(None)))
                    rows = [{"subscription": name, "item_kind": kind.value, "item_id": item_id, "digest_id": digest_id,
                             "sent_at": now} for item_id, digest_id in carried]
                    if rows:
                        conn.execute(insert(subscription_ledger), rows)
            return starts_at

    def sent_to(self, name: str) -> dict[ItemKind, set[int]]:
        """Ids of the articles and revisions subscription `name` was sent."""
        query = select(subscription_ledger.c.item_kind, subscription_ledger.c.item_id).where(
            subscription_ledger.c.subscription == name)
        sent: dict[ItemKind, set[int]] = {kind: set() for kind in ItemKind}
        with self.engine.connect() as conn:
            for kind, item_id in conn.execute(query):
                sent[ItemKind(kind)].add(item_id)
        return sent

    def link_digest(self, conn: Connection, digest_id: int, name: str) -> None:
        """Inside the caller's transaction: digest `digest_id` is subscription `name`'s."""
        conn.execute(insert(subscription_digests).values(digest_id=digest_id, subscription=name))

    def _record_ledger(self, conn: Connection, digest_id: int, items: dict[ItemKind, list[int]], now: datetime) -> None:
        """The items a delivered digest carried go into its subscription's ledger."""
        name = conn.execute(select(subscription_digests.c.subscription).where(
            subscription_digests.c.digest_id == digest_id)).scalar_one_or_none()
        if name is None:
            return
        rows = [{"subscription": name, "item_kind": kind.value, "item_id": item_id, "digest_id": digest_id,
                 "sent_at": now} for kind, ids in items.items() for item_id in dict.fromkeys(ids)]
        if rows:
            conn.execute(insert(subscription_ledger), rows)

    def deliver_digest(self, digest_id: int, items: dict[ItemKind, list[int]]) -> None:
        """A digest that reached its readers without mail (chat channels only): it and its items are delivered."""
        now = utcnow()
        with self.transaction() as conn:
            conn.execute(update(digests).where(digests.c.id == digest_id).values(status="sent", sent_at=now,
                                                                                 error=None))
            for kind, table in ((ItemKind.ARTICLE, articles), (ItemKind.REVISION, revisions)):
                ids = list(dict.fromkeys(items.get(kind, [])))
                for i in range(0, len(ids), 500):
                    conn.execute(update(table).where(table.c.id.in_(ids[i:i + 500]), table.c.digest_id.is_(None))
                                 .values(digest_id=digest_id))
            self._record_ledger(conn, digest_id, items, now)

    def last_sent_to(self, name: str) -> RowMapping | None:
        """The most recent digest the mail server accepted for subscription `name`."""
        query = (
            select(digests)
            .join(subscription_digests, subscription_digests.c.digest_id == digests.c.id)
            .where(subscription_digests.c.subscription == name, digests.c.status == "sent")
            .order_by(digests.c.period_end.desc())
            .limit(1)
        )
        with self.engine.connect() as conn:
            return conn.execute(query).mappings().first()

    def unsent_articles(self, name: str, since: datetime | None, until: datetime) -> list[RowMapping]:
        """Articles first seen in [since, until] that subscription `name` was not sent, oldest first."""
        sent = subscription_ledger.alias("sent")
        query = (
            select(articles)
            .outerjoin(sent, (sent.c.item_id == articles.c.id) & (sent.c.subscription == name)
                       & (sent.c.item_kind == ItemKind.ARTICLE.value))
            .where(sent.c.id.is_(None), articles.c.first_seen <= _naive(until))
            .order_by(articles.c.first_seen)
        )
        if since is not None:
            query = query.where(articles.c.first_seen >= _naive(since))
        with self.engine.connect() as conn:
            return list(conn.execute(query).mappings())

    def unsent_revisions(self, name: str, since: datetime | None, until: datetime) -> list[RowMapping]:
        """Revisions seen in [since, until] that subscription `name` was not sent, with their article's facts."""
        sent = subscription_ledger.alias("sent")
        query = (
            select(revisions, articles.c.url, articles.c.portal, *REVISION_FACTS)
            .join(articles, articles.c.id == revisions.c.article_id)
            .outerjoin(sent, (sent.c.item_id == revisions.c.id) & (sent.c.subscription == name)
                       & (sent.c.item_kind == ItemKind.REVISION.value))
            .where(sent.c.id.is_(None), revisions.c.seen_at <= _naive(until))
            .order_by(revisions.c.seen_at, revisions.c.id)
        )
        if since is not None:
            query = query.where(revisions.c.seen_at >= _naive(since))
        with self.engine.connect() as conn:
            return list(conn.execute(query).mappings())

    def projects(self) -> list[RowMapping]:
        """Every article classified as a project that was news (not a plain copy of a known one), oldest first."""
        news = articles.c.duplicate_of.is_(None)
        query = select(articles).where(articles.c.kind == "project", news).order_by(articles.c.first_seen)
        with self.engine.connect() as conn:
            return list(conn.execute(query).mappings())


# The facts of a revised article a subscription filters on, read with each revision.
REVISION_FACTS = (
    articles.c.kind, articles.c.districts, articles.c.amounts, articles.c.stage, articles.c.doc_numbers,
)


def _naive(moment: datetime) -> datetime:
    """The naive UTC form the store compares against."""
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment
