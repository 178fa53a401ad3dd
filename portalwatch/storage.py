"""The SQL store: articles, their revisions, crawl runs and digests (SQLAlchemy Core).

SQLite by default, PostgreSQL as well. Every write is one transaction, so a crash loses nothing already stored
and never leaves half an article. The tables below are the schema of the newest migration
(`portalwatch/migrations/`); a Store upgrades its database on start (`portalwatch.migrate`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import (
    JSON,
    Column,
    Date,
    DateTime,
    Engine,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    RowMapping,
    String,
    Table,
    Text,
    TypeDecorator,
    create_engine,
    event,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.engine import Connection

from portalwatch import migrate
from portalwatch.models import Classification, CrawledArticle, Verdict

metadata = MetaData()


class UTCDateTime(TypeDecorator):
    """A moment: stored as UTC (with its zone where the database keeps one), read back as an aware UTC datetime.

    A naive value is taken as UTC, so no comparison ever depends on the database server's time zone.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        moment = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        return moment.replace(tzinfo=None) if dialect.name == "sqlite" else moment

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)

digests = Table(
    "digests",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("period_start", UTCDateTime()),
    Column("period_end", UTCDateTime(), nullable=False),
    Column("status", String(16), nullable=False),  # pending | sent | failed | written
    Column("sent_at", UTCDateTime()),
    Column("message_id", Text),
    Column("path", Text),
    Column("counts", JSON, nullable=False, default=dict),
    Column("error", Text),
)

articles = Table(
    "articles",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("url", Text, nullable=False, unique=True),
    Column("portal", Text, nullable=False, index=True),
    Column("title", Text, nullable=False),
    Column("published", Date),
    Column("text", Text, nullable=False),
    Column("content_hash", String(64), nullable=False, index=True),
    Column("first_seen", UTCDateTime(), nullable=False, index=True),
    Column("last_seen", UTCDateTime(), nullable=False),
    Column("status", String(16), nullable=False),  # new | duplicate | revised
    Column("duplicate_of", Text),
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
    Column("etag", Text),
    Column("last_modified", Text),
    Column("digest_id", ForeignKey("digests.id"), index=True),
)

revisions = Table(
    "revisions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("article_id", ForeignKey("articles.id"), nullable=False, index=True),
    Column("seen_at", UTCDateTime(), nullable=False),
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
    Column("started_at", UTCDateTime(), nullable=False),
    Column("finished_at", UTCDateTime()),
    Column("status", String(16), nullable=False),  # running | ok | partial | failed | killed
    Column("trigger", Text, nullable=False),  # cli | daemon | run-once | demo | scrapy
)

portal_runs = Table(
    "portal_runs",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("run_id", ForeignKey("crawl_runs.id"), nullable=False, index=True),
    Column("portal", Text, nullable=False),
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
    Column("portal", Text, nullable=False),
    Column("url", Text),
    Column("reason", Text, nullable=False),  # http-503, timeout, parse, blocked, ...
    Column("detail", Text),
    Column("at", UTCDateTime(), nullable=False),
)


def utcnow() -> datetime:
    return datetime.now(UTC)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def prepare_url(url: str) -> str:
    """`url`, with the folder of a SQLite file created (the file itself is made on first use)."""
    if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
        Path(url[len("sqlite:///"):]).parent.mkdir(parents=True, exist_ok=True)
    return url


def make_engine(url: str) -> Engine:
    """An engine for `url` whose database has this program's schema (created or upgraded as needed)."""
    engine = create_engine(prepare_url(url))
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    migrate.upgrade(engine)
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
            "number_changes": [asdict(change) for change in verdict.changes],
            "attachments": list(item.attachments),
            "etag": item.etag,
            "last_modified": item.last_modified,
            **classification_values(classification),
        }
        with self.transaction() as conn:
            return conn.execute(insert(articles).values(**values)).inserted_primary_key[0]

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
