"""The SQL store: articles, their revisions, crawl runs and digests (SQLAlchemy Core).

SQLite by default, PostgreSQL as well. Every write is one transaction, so a crash loses nothing already stored
and never leaves half an article. The tables below are the schema of the newest migration
(`portalwatch/migrations/`); a Store upgrades its database on start (`portalwatch.migrate`). A database that
cannot be opened, written or understood raises `StorageError`, one line naming the database and the cause.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
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
    TypeDecorator,
    UniqueConstraint,
    case,
    create_engine,
    delete,
    event,
    func,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import ArgumentError, DataError, IntegrityError, NoSuchModuleError, SQLAlchemyError

from portalwatch import migrate
from portalwatch.models import Classification, CrawledArticle, Verdict
from portalwatch.states import (
    DOWN,
    ArticleStatus,
    DeliveryState,
    DigestState,
    ItemKind,
    LinkState,
    MessageKind,
    PortalStatus,
    RunStatus,
)

EMPTY_FILE_AGE = 10.0  # seconds: a younger empty SQLite file is being created by another install right now
STREAM_BATCH = 1000  # rows fetched at a time by streamed queries

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
    Column("status", String(16), nullable=False),  # DigestState
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
    Column("status", String(16), nullable=False),  # ArticleStatus
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
    # a new article that repeats part of a known one: which, its title, the share of this text it holds
    Column("partly_repeats", Text),
    Column("partly_repeats_title", Text),
    Column("partly_repeats_share", Float),
    Column("new_chars", Integer),  # characters found in no known article
)

# Pending articles (in no sent digest yet) by kind, and pending copies: small indexes that status counts from.
PENDING_NEW = text("digest_id IS NULL AND duplicate_of IS NULL")
PENDING_COPIES = text("digest_id IS NULL AND duplicate_of IS NOT NULL")
Index("ix_articles_pending_new", articles.c.kind, articles.c.first_seen, articles.c.id,
      sqlite_where=PENDING_NEW, postgresql_where=PENDING_NEW)
Index("ix_articles_pending_copies", articles.c.first_seen, articles.c.id,
      sqlite_where=PENDING_COPIES, postgresql_where=PENDING_COPIES)

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
    Column("status", String(16), nullable=False),  # RunStatus
    Column("trigger", Text, nullable=False),  # cli | daemon | run-once | demo | scrapy
)

portal_runs = Table(
    "portal_runs",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("run_id", ForeignKey("crawl_runs.id"), nullable=False, index=True),
    Column("portal", Text, nullable=False),
    Column("status", String(16), nullable=False),  # PortalStatus
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


# The 政府信息公开 table of an article's page (索引号, 发布机构, 文号, 成文日期 ...), kept for reclassification.
article_meta = Table(
    "article_meta",
    metadata,
    Column("article_id", ForeignKey("articles.id"), primary_key=True),
    Column("meta", JSON, nullable=False),
)


# Subscriptions: when each began, which digest went to which, and the ledger of every item each was sent.
subscriptions = Table(
    "subscriptions",
    metadata,
    Column("name", Text, primary_key=True),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("starts_at", UTCDateTime()),  # items first seen before this are not its news; NULL: all
)

subscription_digests = Table(
    "subscription_digests",
    metadata,
    Column("digest_id", ForeignKey("digests.id"), primary_key=True),
    Column("subscription", Text, nullable=False, index=True),
)

subscription_ledger = Table(
    "subscription_ledger",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("subscription", Text, nullable=False),
    Column("item_kind", String(16), nullable=False),  # ItemKind
    Column("item_id", Integer, nullable=False),
    Column("digest_id", ForeignKey("digests.id"), nullable=False, index=True),
    Column("sent_at", UTCDateTime(), nullable=False),
    UniqueConstraint("subscription", "item_kind", "item_id"),
)

# The outbox: every message stored whole before its first attempt, one row per recipient with its own state.
outbox = Table(
    "outbox",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("message_id", Text, nullable=False, unique=True),
    Column("kind", String(16), nullable=False),  # MessageKind
    Column("digest_id", ForeignKey("digests.id"), index=True),
    Column("subject", Text, nullable=False),
    Column("sender", Text, nullable=False),  # the envelope MAIL FROM
    Column("raw", LargeBinary, nullable=False),  # the whole message as it goes on the wire, every part
    Column("created_at", UTCDateTime(), nullable=False),
    Column("delivered_at", UTCDateTime()),  # when the last recipient got it
    Column("dropped_at", UTCDateTime()),  # when the operator gave up on it (`outbox --drop`): never sent again
)

outbox_recipients = Table(
    "outbox_recipients",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("outbox_id", ForeignKey("outbox.id"), nullable=False, index=True),
    Column("address", Text, nullable=False),
    Column("state", String(16), nullable=False),  # DeliveryState
    Column("attempts", Integer, nullable=False, default=0),
    Column("last_attempt_at", UTCDateTime()),
    Column("sent_at", UTCDateTime()),
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


# The frontier: every article link found on a list page, written before it is requested, until it is stored
# (the row goes in the article's transaction) or given up.
frontier = Table(
    "frontier",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("portal", Text, nullable=False, index=True),
    Column("url", Text, nullable=False, unique=True),
    Column("state", String(16), nullable=False),  # LinkState: pending | given_up
    Column("attempts", Integer, nullable=False, default=0),
    Column("last_error", Text),
    Column("first_seen", UTCDateTime(), nullable=False),
    Column("last_seen", UTCDateTime(), nullable=False),
    Column("given_up_at", UTCDateTime()),
)

# How deep each column's list walk got: an open walk (cut short) makes the next one go at least as deep.
list_walks = Table(
    "list_walks",
    metadata,
    Column("portal", Text, primary_key=True),
    Column("start_url", Text, primary_key=True),  # the column: the start URL the walk begins at
    Column("open", Boolean, nullable=False, default=False),  # a walk started and not finished yet
    Column("depth", Integer, nullable=False, default=0),  # deepest list page read by the open walk
    Column("complete_depth", Integer),  # how deep the last complete walk reached
    Column("finished_at", UTCDateTime()),
)

# Outages told by an alert: one row per portal and outage, closed when the recovery note went out.
portal_outages = Table(
    "portal_outages",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("portal", Text, nullable=False, index=True),
    Column("opened_at", UTCDateTime(), nullable=False),
    Column("message", Text),
    Column("alerted_at", UTCDateTime()),  # the alert reached a channel (or the outbox)
    Column("recovered_at", UTCDateTime()),  # the recovery note went out
)


class StorageError(SQLAlchemyError):
    """The database cannot be opened, written or understood; the text names it and the cause in one line.

    An `SQLAlchemyError`, so that code guarding a store call against database failures still catches it.
    """

    def __init__(self, database: str, cause: str) -> None:
        self.database, self.cause = database, cause
        super().__init__(f"database {database}: {cause}")


SQLITE_CAUSES = (  # SQLite's words -> what the operator should know
    ("unable to open database file", "cannot open the file (its folder is missing or not writable)"),
    ("readonly database", "the file is read-only (cannot write)"),
    ("file is not a database", "not a SQLite database (the file is corrupt or something else)"),
    ("malformed", "the file is corrupt (database disk image is malformed)"),
    ("disk is full", "the disk is full"),
    ("disk i/o error", "disk I/O error"),
)


def shown_url(url: str) -> str:
    """The database URL without its password."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url


def make_folder(folder: Path) -> None:
    """Create `folder` and its parents; a file standing where a folder should be is named in the error."""
    for parent in (folder, *folder.parents):
        if parent.exists():
            if not parent.is_dir():
                raise NotADirectoryError(20, f"{parent} is a file, not a folder", str(parent))
            break
    folder.mkdir(parents=True, exist_ok=True)


def os_cause(exc: OSError) -> str:
    """An OS error in a few words, with the file it is about."""
    text = exc.strerror or str(exc)
    return f"{text} ({exc.filename})" if exc.filename and str(exc.filename) not in text else text


def _cause(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    lowered = text.lower()
    for words, cause in SQLITE_CAUSES:
        if words in lowered:
            return cause
    if isinstance(exc, OSError):
        return os_cause(exc)
    return text


def utcnow() -> datetime:
    return datetime.now(UTC)


SQLITE_BUSY_SECONDS = 30


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_SECONDS * 1000}")
    cursor.execute("PRAGMA foreign_keys=ON")
    _wal(cursor)
    cursor.close()


def _wal(cursor) -> None:
    """Put the file in WAL mode. SQLite answers "locked" at once, without waiting, while another connection
    is creating the same new file: that is retried for the busy timeout."""
    deadline = time.monotonic() + SQLITE_BUSY_SECONDS
    while True:
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def make_engine(url: str) -> Engine:
    """An engine for `url` whose database has this program's schema (created or upgraded as needed).

    Raises `StorageError` when the database cannot be opened, written or understood.
    """
    engine = prepared_engine(url)
    try:
        upgrade_schema(engine)
    except BaseException:
        engine.dispose()
        raise
    return engine


def prepared_engine(url: str) -> Engine:
    """An engine for `url`, a SQLite file's folder made; an empty old file or a folder that cannot be is an error."""
    shown = shown_url(url)
    if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
        path = Path(url[len("sqlite:///"):])
        if path.is_file() and path.stat().st_size == 0 and time.time() - path.stat().st_mtime > EMPTY_FILE_AGE:
            raise StorageError(shown, "the file is empty (0 bytes), not a database: restore it, or delete it "
                                      "to start a new one")
        try:
            make_folder(path.parent)
        except OSError as exc:
            raise StorageError(shown, f"cannot create its folder: {os_cause(exc)}") from None
    return open_engine(url)


def upgrade_schema(engine: Engine) -> migrate.Upgrade:
    """Bring the database of `engine` to this program's schema revision; `StorageError` when it cannot be."""
    try:
        return migrate.upgrade(engine)
    except OSError as exc:  # the schema lock beside the file cannot be made
        raise StorageError(engine.url.render_as_string(hide_password=True), os_cause(exc)) from None


def open_engine(url: str, **options) -> Engine:
    """An engine for `url` (nothing is connected or created yet) whose failures are one `StorageError` line."""
    shown = shown_url(url)
    try:
        engine = create_engine(url, **options)
    except NoSuchModuleError:
        raise StorageError(shown, f"unknown database kind {make_url(url).drivername!r}") from None
    except ImportError as exc:
        raise StorageError(shown, _missing_driver(url, exc)) from None
    except ArgumentError as exc:
        raise StorageError(shown, f"not a valid database URL ({exc})") from None
    event.listen(engine, "handle_error", _storage_error(shown))
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _missing_driver(url: str, exc: ImportError) -> str:
    """What to do when the driver module of `url` cannot be imported."""
    module = exc.name or str(exc)
    parsed = make_url(url)
    if parsed.get_backend_name() != "postgresql":
        return f"its driver {module} is not installed: pip install {module}"
    if parsed.get_driver_name() == "psycopg":
        return f"its driver {module} is not installed: pip install 'portalwatch[postgres]'"
    return (f"its driver {module} is not installed: pip install 'portalwatch[postgres]' and write the URL "
            "as postgresql+psycopg://")


def _storage_error(shown: str):
    """A `handle_error` hook: a database that fails becomes one `StorageError` line.

    A row the database refuses (a constraint, a value it cannot hold) is that row's problem, not the
    database's: it stays an `IntegrityError` / `DataError` for the caller to count against one article.
    """
    def hook(context) -> None:
        if isinstance(context.sqlalchemy_exception, (IntegrityError, DataError)):
            return
        raise StorageError(shown, _cause(context.original_exception)) from None

    return hook




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

    def check_writable(self) -> None:
        """Write and roll back, so that a read-only or full database is found before any work is done."""
        with self.engine.connect() as conn:
            conn.execute(insert(list_walks).values(portal="", start_url="", open=False, depth=0))
            conn.rollback()


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
        with self.transaction() as conn:  # stored and out of the frontier in one step
            article_id = conn.execute(insert(articles).values(**values)).inserted_primary_key[0]
            conn.execute(delete(frontier).where(frontier.c.url == item.url))
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
                    status=ArticleStatus.REVISED,
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
        yield from self._stream(select(articles).order_by(articles.c.id))

    def iter_article_texts(self, after_id: int = 0) -> Iterator[tuple[int, str, str, str]]:
        """(id, url, title, text) of articles with an id above `after_id`, for the dedupe index."""
        query = (
            select(articles.c.id, articles.c.url, articles.c.title, articles.c.text)
            .where(articles.c.id > after_id)
            .order_by(articles.c.id)
        )
        for row in self._stream(query):
            yield row["id"], row["url"], row["title"], row["text"]

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
                insert(crawl_runs).values(started_at=utcnow(), status=RunStatus.RUNNING, trigger=trigger)
            ).inserted_primary_key[0]

    def close_orphan_runs(self, status: RunStatus = RunStatus.INTERRUPTED) -> list[int]:
        """Runs left `running` by a process that died; the caller holds the lock, so none is alive."""
        with self.transaction() as conn:
            ids = list(conn.execute(select(crawl_runs.c.id).where(crawl_runs.c.status == RunStatus.RUNNING)).scalars())
            if ids:
                conn.execute(update(crawl_runs).where(crawl_runs.c.id.in_(ids))
                             .values(status=status, finished_at=utcnow()))
        return ids

    def run_status(self, run_id: int) -> str | None:
        with self.engine.connect() as conn:
            return conn.execute(select(crawl_runs.c.status).where(crawl_runs.c.id == run_id)).scalar_one_or_none()

    def finish_run(self, run_id: int, status: str) -> None:
        with self.transaction() as conn:
            conn.execute(
                update(crawl_runs).where(crawl_runs.c.id == run_id).values(finished_at=utcnow(), status=status)
            )
        self.refresh_statistics()

    def refresh_statistics(self) -> None:
        """Fresh planner statistics after a crawl changed the tables (PostgreSQL's autovacuum keeps its own).

        Without them SQLite takes the digest_id index for "pending" even when a million rows are pending, where
        the partial pending indexes answer status in a fraction of the time.
        """
        if self.engine.dialect.name == "sqlite":
            with self.engine.connect() as conn:
                conn.exec_driver_sql("ANALYZE")

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

    # --- reports: what a digest carries (read by reports/collect.py) -------------------------------
    def last_sent_digest(self) -> RowMapping | None:
        """The most recent digest the mail server accepted."""
        query = (select(digests).where(digests.c.status == DigestState.SENT)
                 .order_by(digests.c.period_end.desc()).limit(1))
        with self.engine.connect() as conn:
            return conn.execute(query).mappings().first()

    def digest_articles(self, now: datetime, since: datetime | None = None) -> Iterator[RowMapping]:
        """Articles first seen by `now`: those in no sent digest yet, or (with `since`) every one seen since then.

        Streamed (server-side cursor where the database has one), oldest first.
        """
        query = select(articles).where(articles.c.first_seen <= now).order_by(articles.c.first_seen)
        if since is None:
            query = query.where(articles.c.digest_id.is_(None))
        else:
            query = query.where(articles.c.first_seen >= since)
        yield from self._stream(query)

    def digest_revisions(self, now: datetime, since: datetime | None = None) -> Iterator[RowMapping]:
        """Revisions seen by `now` (pending, or every one since `since`) with their article's url, portal and facts."""
        query = (
            select(revisions, articles.c.url, articles.c.portal, *REVISION_FACTS)
            .join(articles, articles.c.id == revisions.c.article_id)
            .where(revisions.c.seen_at <= now)
            .order_by(revisions.c.seen_at, revisions.c.id)
        )
        if since is None:
            query = query.where(revisions.c.digest_id.is_(None))
        else:
            query = query.where(revisions.c.seen_at >= since)
        yield from self._stream(query)

    def portal_runs_between(self, start: datetime | None, now: datetime) -> list[RowMapping]:
        """Per-portal rows of the crawl runs started in [start, now], in run order."""
        query = (
            select(portal_runs)
            .join(crawl_runs, crawl_runs.c.id == portal_runs.c.run_id)
            .where(crawl_runs.c.started_at <= now)
            .order_by(portal_runs.c.run_id, portal_runs.c.id)
        )
        if start is not None:
            query = query.where(crawl_runs.c.started_at >= start)
        with self.engine.connect() as conn:
            return list(conn.execute(query).mappings())

    def error_reasons_between(self, start: datetime | None, now: datetime) -> dict[tuple[str, str], int]:
        """(portal, reason) -> how many crawl errors the runs started in [start, now] recorded."""
        query = (
            select(crawl_errors.c.portal, crawl_errors.c.reason, func.count())
            .join(crawl_runs, crawl_runs.c.id == crawl_errors.c.run_id)
            .where(crawl_runs.c.started_at <= now)
            .group_by(crawl_errors.c.portal, crawl_errors.c.reason)
        )
        if start is not None:
            query = query.where(crawl_runs.c.started_at >= start)
        with self.engine.connect() as conn:
            return {(portal, reason): count for portal, reason, count in conn.execute(query)}

    def has_pending(self) -> bool:
        """True when some article or revision is in no sent digest yet."""
        with self.engine.connect() as conn:
            for table in (articles, revisions):
                if conn.execute(select(table.c.id).where(table.c.digest_id.is_(None)).limit(1)).first():
                    return True
        return False

    def pending_counts(self, now: datetime) -> dict[str, int]:
        """What the next digest would count, computed in the database (no article is loaded)."""
        pending = (articles.c.digest_id.is_(None) & (articles.c.first_seen <= now)
                   & articles.c.id.not_in(self._claimed(ItemKind.ARTICLE)))
        revised = (revisions.c.digest_id.is_(None) & (revisions.c.seen_at <= now)
                   & revisions.c.id.not_in(self._claimed(ItemKind.REVISION)))
        return self._counts(pending, revised)

    def unsent_counts(self, name: str, since: datetime | None, until: datetime) -> dict[str, int]:
        """What subscription `name`'s next digest would count before its filters: the items first seen in
        [since, until] it was not sent and no message of its own still carries (computed in the database)."""
        def unsent(table, kind: ItemKind, seen):
            sent = select(subscription_ledger.c.id).where(
                subscription_ledger.c.subscription == name, subscription_ledger.c.item_kind == kind.value,
                subscription_ledger.c.item_id == table.c.id)
            where = ~sent.exists() & (seen <= until) & table.c.id.not_in(self._claimed(kind, name))
            return where if since is None else where & (seen >= since)

        return self._counts(unsent(articles, ItemKind.ARTICLE, articles.c.first_seen),
                            unsent(revisions, ItemKind.REVISION, revisions.c.seen_at))

    def _counts(self, pending, revised) -> dict[str, int]:
        """A digest's counts over the articles matching `pending` and the revisions matching `revised`."""
        is_new = articles.c.duplicate_of.is_(None)
        changed = func.json_array_length(articles.c.number_changes) > 0
        kinds = select(articles.c.kind, func.count()).where(pending, is_new).group_by(articles.c.kind)
        copies = select(func.coalesce(func.sum(case((changed, 1), else_=0)), 0),
                        func.coalesce(func.sum(case((changed, 0), else_=1)), 0)).where(pending, ~is_new)
        revised_pages = (
            select(func.count(revisions.c.article_id.distinct()))
            .join(articles, articles.c.id == revisions.c.article_id)
            .where(revised, ~(pending & is_new))
        )
        with self.engine.connect() as conn:
            by_kind = dict(conn.execute(kinds).all())
            republished, duplicates = conn.execute(copies).one()
            revisions_count = conn.execute(revised_pages).scalar_one()
        return {
            "projects": by_kind.get("project", 0),
            "policies": by_kind.get("policy", 0),
            "others": sum(count for kind, count in by_kind.items() if kind not in ("project", "policy")),
            "revisions": revisions_count,
            "republished": int(republished),
            "duplicates": int(duplicates),
        }

    # --- digests (written by reports/digest.py) -------------------------------------------------------
    def close_interrupted_digests(self) -> int:
        """Digests left `sending` by a crash become `interrupted` (their items stay pending); how many."""
        with self.transaction() as conn:
            stale = conn.execute(
                update(digests).where(digests.c.status == DigestState.SENDING).values(
                    status=DigestState.INTERRUPTED, error="the run stopped while sending; its items were kept pending")
            )
        return stale.rowcount

    def open_digest(self, period_start: datetime | None, period_end: datetime, counts: dict[str, int],
                    subscription: str) -> int:
        """A digest about to be sent (`sending`), tied to `subscription` (whose ledger gets its items once
        delivered); its id."""
        with self.transaction() as conn:
            digest_id = conn.execute(insert(digests).values(
                created_at=utcnow(), period_start=period_start, period_end=period_end,
                status=DigestState.SENDING, counts=counts,
            )).inserted_primary_key[0]
            self.link_digest(conn, digest_id, subscription)
            return digest_id

    def close_digest(self, digest_id: int, status: DigestState, error: str | None = None) -> None:
        with self.transaction() as conn:
            conn.execute(update(digests).where(digests.c.id == digest_id).values(status=status, error=error))

    def set_digest_path(self, digest_id: int, path: str) -> None:
        """Where the digest's report file is."""
        with self.transaction() as conn:
            conn.execute(update(digests).where(digests.c.id == digest_id).values(path=path))

    def sent_digests(self) -> list[RowMapping]:
        """Sent digests with a report file, newest first (for the archive index)."""
        query = select(digests).where(digests.c.status == DigestState.SENT, digests.c.path.is_not(None)).order_by(
            digests.c.period_end.desc(), digests.c.id.desc())
        with self.engine.connect() as conn:
            return list(conn.execute(query).mappings())

    def newest_new_articles(self, limit: int) -> list[RowMapping]:
        """The newest articles that were new to the readers (not copies of known ones), newest first."""
        query = select(articles).where(articles.c.duplicate_of.is_(None)).order_by(
            articles.c.first_seen.desc(), articles.c.id.desc()).limit(limit)
        with self.engine.connect() as conn:
            return list(conn.execute(query).mappings())

    # --- crawl history (read by status, the scheduler's recovery) ------------------------------------
    def latest_portal_runs(self) -> dict[str, RowMapping]:
        """Portal name -> its newest portal run row, with the run's `started_at`."""
        newest = select(func.max(portal_runs.c.id)).group_by(portal_runs.c.portal)
        query = (
            select(portal_runs, crawl_runs.c.started_at)
            .join(crawl_runs, crawl_runs.c.id == portal_runs.c.run_id)
            .where(portal_runs.c.id.in_(newest))
        )
        with self.engine.connect() as conn:
            return {row["portal"]: row for row in conn.execute(query).mappings()}

    def last_error(self, run_id: int, portal: str) -> RowMapping | None:
        """The last crawl error `portal` recorded in run `run_id` (reason, url, detail)."""
        query = (
            select(crawl_errors.c.reason, crawl_errors.c.url, crawl_errors.c.detail)
            .where(crawl_errors.c.run_id == run_id, crawl_errors.c.portal == portal)
            .order_by(crawl_errors.c.id.desc()).limit(1)
        )
        with self.engine.connect() as conn:
            return conn.execute(query).mappings().first()

    def latest_run(self) -> RowMapping | None:
        with self.engine.connect() as conn:
            return conn.execute(select(crawl_runs).order_by(crawl_runs.c.id.desc()).limit(1)).mappings().first()

    @staticmethod
    def _claimed(kind: ItemKind, subscription: str | None = None):
        """Ids of the items of `kind` carried by a stored message not yet at every recipient (a subquery);
        with `subscription`, by that subscription's messages only."""
        return _carried_by_waiting(outbox_items.c.item_id, subscription=subscription).where(
            outbox_items.c.kind == kind)

    def _stream(self, query) -> Iterator[RowMapping]:
        """Rows of `query` a batch at a time: a server-side cursor on PostgreSQL, never the whole result."""
        with self.engine.connect() as conn:
            result = conn.execution_options(yield_per=STREAM_BATCH).execute(query).mappings()
            yield from result

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
                    status=DigestState.QUEUED, message_id=message_id))
        return outbox_id

    def undelivered_messages(self) -> list[RowMapping]:
        """Stored messages some recipient has not got yet (and not dropped), oldest first."""
        query = select(outbox).where(_waiting()).order_by(outbox.c.id)
        with self.engine.connect() as conn:
            return list(conn.execute(query).mappings())

    def outbox_message(self, outbox_id: int) -> RowMapping | None:
        with self.engine.connect() as conn:
            return conn.execute(select(outbox).where(outbox.c.id == outbox_id)).mappings().first()

    def recent_messages(self, limit: int) -> list[RowMapping]:
        """Every waiting message and the `limit` newest delivered or dropped ones, newest first (no bodies)."""
        columns = [c for c in outbox.c if c.name != "raw"]
        with self.engine.connect() as conn:
            undelivered = list(conn.execute(select(*columns).where(_waiting())).mappings())
            delivered = list(conn.execute(select(*columns).where(~_waiting())
                                          .order_by(outbox.c.id.desc()).limit(limit)).mappings())
        return sorted(undelivered + delivered, key=lambda row: row["id"], reverse=True)

    def message_recipients(self, outbox_id: int) -> list[RowMapping]:
        query = select(outbox_recipients).where(outbox_recipients.c.outbox_id == outbox_id).order_by(
            outbox_recipients.c.id)
        with self.engine.connect() as conn:
            return list(conn.execute(query).mappings())

    def claimed_items(self, subscription: str | None = None) -> dict[ItemKind, set[int]]:
        """Articles and revisions carried by a message still waiting for a recipient: no new digest takes them.

        With `subscription`, only that subscription's messages count (another's claim is not its own)."""
        query = _carried_by_waiting(outbox_items.c.kind, outbox_items.c.item_id, subscription=subscription)
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
                    outbox_recipients.c.state != DeliveryState.DROPPED.value,
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
        conn.execute(update(digests).where(digests.c.id == digest_id)
                     .values(status=DigestState.SENT, sent_at=now, error=None))
        items: dict[ItemKind, list[int]] = {}
        for kind, table in ((ItemKind.ARTICLE, articles), (ItemKind.REVISION, revisions)):
            carried = select(outbox_items.c.item_id).where(
                outbox_items.c.outbox_id == outbox_id, outbox_items.c.kind == kind.value)
            # an item belongs to the first digest that reached a reader with it (subscriptions share items)
            conn.execute(update(table).where(table.c.id.in_(carried), table.c.digest_id.is_(None))
                         .values(digest_id=digest_id))
            items[kind] = list(conn.execute(carried).scalars())
        self._record_ledger(conn, digest_id, items, now)

    def drop_message(self, outbox_id: int) -> RowMapping | None:
        """Give up on a waiting message: never sent again, its recipients without it `dropped`, its digest
        `dropped`; the items it carried wait for the next digest again. The message as it was before, or None."""
        now = utcnow()
        with self.transaction() as conn:
            row = conn.execute(select(outbox).where(outbox.c.id == outbox_id)).mappings().first()
            if row is None or row["delivered_at"] is not None or row["dropped_at"] is not None:
                return row
            conn.execute(update(outbox).where(outbox.c.id == outbox_id).values(dropped_at=now))
            conn.execute(update(outbox_recipients).where(
                outbox_recipients.c.outbox_id == outbox_id, outbox_recipients.c.state != DeliveryState.SENT.value,
            ).values(state=DeliveryState.DROPPED.value))
            if row["digest_id"] is not None:
                conn.execute(update(digests).where(digests.c.id == row["digest_id"]).values(
                    status=DigestState.DROPPED, error="dropped by the operator; its items wait for the next digest"))
        return row

    def note_digest_error(self, digest_id: int, error: str | None) -> None:
        """Why a queued digest has not reached every recipient yet (scrubbed of secrets)."""
        with self.transaction() as conn:
            conn.execute(update(digests).where(digests.c.id == digest_id, digests.c.status != DigestState.SENT).values(
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

    def subscription_starts(self) -> dict[str, datetime | None]:
        """Subscription name -> when it starts, for every subscription a digest has used (read only)."""
        with self.engine.connect() as conn:
            return dict(conn.execute(select(subscriptions.c.name, subscriptions.c.starts_at)).all())

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

    # --- the frontier: article links found but not stored yet --------------------------------------------
    def add_pending(self, portal: str, urls: list[str]) -> list[str]:
        """Remember links found on a list page (before they are requested); return those newly added."""
        if not urls:
            return []
        now = utcnow()
        with self.transaction() as conn:
            known = set()
            for chunk in _chunks(list(dict.fromkeys(urls))):
                known |= set(conn.execute(select(frontier.c.url).where(frontier.c.url.in_(chunk))).scalars())
                known |= set(conn.execute(select(articles.c.url).where(articles.c.url.in_(chunk))).scalars())
            fresh = [url for url in dict.fromkeys(urls) if url not in known]
            if fresh:
                conn.execute(insert(frontier), [
                    {"portal": portal, "url": url, "state": LinkState.PENDING, "attempts": 0,
                     "first_seen": now, "last_seen": now} for url in fresh
                ])
        return fresh

    def pending_links(self, portal: str) -> list[str]:
        """Links of `portal` found earlier and neither stored nor given up, oldest first."""
        query = (select(frontier.c.url).where(frontier.c.portal == portal, frontier.c.state == LinkState.PENDING)
                 .order_by(frontier.c.id))
        with self.engine.connect() as conn:
            return list(conn.execute(query).scalars())

    def frontier_urls(self, portal: str) -> set[str]:
        """Every link of `portal` in the frontier, pending or given up."""
        with self.engine.connect() as conn:
            return set(conn.execute(select(frontier.c.url).where(frontier.c.portal == portal)).scalars())

    def link_failed(self, url: str, error: str, *, max_attempts: int, min_days: float,
                    give_up_now: bool = False) -> LinkState | None:
        """Count a failed attempt at a pending link; give it up after `max_attempts` over `min_days` days.

        Returns the link's state, or None when the URL is not in the frontier (a known article re-checked).
        """
        now = utcnow()
        with self.transaction() as conn:
            row = conn.execute(select(frontier).where(frontier.c.url == url)).mappings().first()
            if row is None or row["state"] != LinkState.PENDING:
                return LinkState(row["state"]) if row else None
            attempts = row["attempts"] + 1
            age_days = (now - _aware(row["first_seen"])).total_seconds() / 86400
            gives_up = give_up_now or (attempts >= max_attempts and age_days >= min_days)
            state = LinkState.GIVEN_UP if gives_up else LinkState.PENDING
            conn.execute(update(frontier).where(frontier.c.id == row["id"]).values(
                attempts=attempts, last_error=error, last_seen=now, state=state,
                given_up_at=now if gives_up else None))
        return state

    def given_up_links(self) -> list[RowMapping]:
        """Links given up, newest first, with their attempts and last error."""
        query = (select(frontier).where(frontier.c.state == LinkState.GIVEN_UP)
                 .order_by(frontier.c.given_up_at.desc()))
        with self.engine.connect() as conn:
            return list(conn.execute(query).mappings())

    def count_pending(self) -> dict[str, int]:
        """Pending links per portal."""
        query = (select(frontier.c.portal, func.count()).where(frontier.c.state == LinkState.PENDING)
                 .group_by(frontier.c.portal))
        with self.engine.connect() as conn:
            return {portal: n for portal, n in conn.execute(query)}

    # --- list walks: how deep each column was read ---------------------------------------------------------
    def walk_resume_depth(self, portal: str, start_url: str) -> int:
        """How deep an unfinished walk of the column reached (0 when the last walk finished)."""
        query = select(list_walks).where(list_walks.c.portal == portal, list_walks.c.start_url == start_url)
        with self.engine.connect() as conn:
            row = conn.execute(query).mappings().first()
        return row["depth"] if row and row["open"] else 0

    def walk_reached(self, portal: str, start_url: str, page: int) -> None:
        """List page `page` of the column was read: the walk is open and at least this deep."""
        where = (list_walks.c.portal == portal, list_walks.c.start_url == start_url)
        with self.transaction() as conn:
            row = conn.execute(select(list_walks).where(*where)).mappings().first()
            if row is None:
                conn.execute(insert(list_walks).values(portal=portal, start_url=start_url, open=True, depth=page))
            else:
                depth = max(row["depth"], page) if row["open"] else page
                conn.execute(update(list_walks).where(*where).values(open=True, depth=depth))

    def walk_finished(self, portal: str, start_url: str, page: int) -> None:
        """The walk of the column ended normally at list page `page`."""
        where = (list_walks.c.portal == portal, list_walks.c.start_url == start_url)
        with self.transaction() as conn:
            conn.execute(update(list_walks).where(*where).values(
                open=False, depth=page, complete_depth=page, finished_at=utcnow()))

    # --- outages and alerts ------------------------------------------------------------------------------
    def consecutive_down(self, portal: str, limit: int) -> int:
        """How many of the portal's latest runs (up to `limit`) in a row were failed or blocked."""
        query = (select(portal_runs.c.status).where(portal_runs.c.portal == portal,
                                                    portal_runs.c.status != PortalStatus.INTERRUPTED)
                 .order_by(portal_runs.c.id.desc()).limit(limit))
        count = 0
        with self.engine.connect() as conn:
            for status in conn.execute(query).scalars():
                if status not in DOWN:
                    break
                count += 1
        return count

    def first_error(self, run_id: int, portal: str) -> RowMapping | None:
        """The first error recorded for `portal` in run `run_id` (robots refusals aside)."""
        query = (select(crawl_errors).where(crawl_errors.c.run_id == run_id, crawl_errors.c.portal == portal,
                                            crawl_errors.c.reason != "robots")
                 .order_by(crawl_errors.c.id).limit(1))
        with self.engine.connect() as conn:
            return conn.execute(query).mappings().first()

    def latest_portal_statuses(self, run_id: int) -> dict[str, RowMapping]:
        """The portal rows of one run."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(portal_runs).where(portal_runs.c.run_id == run_id)).mappings()
            return {row["portal"]: row for row in rows}

    def open_outages(self) -> dict[str, RowMapping]:
        """Outages not over yet (no recovery note sent), by portal."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(portal_outages).where(portal_outages.c.recovered_at.is_(None))).mappings()
            return {row["portal"]: row for row in rows}

    def open_outage(self, portal: str, message: str | None) -> None:
        with self.transaction() as conn:
            conn.execute(insert(portal_outages).values(portal=portal, opened_at=utcnow(), message=message))

    def mark_alerted(self, portals: list[str]) -> None:
        with self.transaction() as conn:
            conn.execute(update(portal_outages).where(portal_outages.c.portal.in_(portals),
                                                      portal_outages.c.recovered_at.is_(None),
                                                      portal_outages.c.alerted_at.is_(None))
                         .values(alerted_at=utcnow()))

    def close_outages(self, portals: list[str]) -> None:
        with self.transaction() as conn:
            conn.execute(update(portal_outages).where(portal_outages.c.portal.in_(portals),
                                                      portal_outages.c.recovered_at.is_(None))
                         .values(recovered_at=utcnow()))


# The facts of a revised article a subscription filters on, read with each revision.
REVISION_FACTS = (
    articles.c.kind, articles.c.districts, articles.c.amounts, articles.c.stage, articles.c.doc_numbers,
)


def _naive(moment: datetime) -> datetime:
    """The naive UTC form the store compares against."""
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment


def _aware(moment: datetime) -> datetime:
    """A datetime read back from the store (SQLite gives naive UTC) as aware UTC."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def _chunks(items: list[str], size: int = 500) -> Iterator[list[str]]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


def _waiting():
    """A stored message some recipient has not got yet that the operator has not given up on."""
    return outbox.c.delivered_at.is_(None) & outbox.c.dropped_at.is_(None)


def _carried_by_waiting(*columns, subscription: str | None = None):
    """`columns` of the items carried by a stored message still waiting for a recipient; with `subscription`,
    by that subscription's messages only."""
    query = select(*columns).join(outbox, outbox.c.id == outbox_items.c.outbox_id).where(_waiting())
    if subscription is None:
        return query
    return query.join(subscription_digests, subscription_digests.c.digest_id == outbox.c.digest_id).where(
        subscription_digests.c.subscription == subscription)
