"""The SQL store: articles, their revisions, crawl runs and digests (SQLAlchemy Core).

SQLite by default; nothing here rules out PostgreSQL. Every write is one transaction, so a crash loses
nothing already stored and never leaves half an article. A database that cannot be opened, written or
understood raises `StorageError`, one line naming the database and the cause.
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
    Boolean,
    Column,
    Date,
    DateTime,
    Engine,
    Float,
    ForeignKey,
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
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import ArgumentError, DataError, IntegrityError, NoSuchModuleError, SQLAlchemyError

from portalwatch.models import Classification, CrawledArticle, Verdict
from portalwatch.outcomes import DOWN, LinkState, PortalStatus, RunStatus

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


frontier = Table(
    "frontier",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("portal", String(128), nullable=False, index=True),
    Column("url", String(2048), nullable=False, unique=True),
    Column("state", String(16), nullable=False),  # LinkState: pending | given_up
    Column("attempts", Integer, nullable=False, default=0),
    Column("last_error", Text),
    Column("first_seen", DateTime(timezone=True), nullable=False),
    Column("last_seen", DateTime(timezone=True), nullable=False),
    Column("given_up_at", DateTime(timezone=True)),
)

list_walks = Table(
    "list_walks",
    metadata,
    Column("portal", String(128), primary_key=True),
    Column("column", String(2048), primary_key=True),  # the start URL the walk begins at
    Column("open", Boolean, nullable=False, default=False),  # a walk started and not finished yet
    Column("depth", Integer, nullable=False, default=0),  # deepest list page read by the open walk
    Column("complete_depth", Integer),  # how deep the last complete walk reached
    Column("finished_at", DateTime(timezone=True)),
)

portal_outages = Table(
    "portal_outages",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("portal", String(128), nullable=False, index=True),
    Column("opened_at", DateTime(timezone=True), nullable=False),
    Column("message", Text),
    Column("alerted_at", DateTime(timezone=True)),  # the alert reached a channel
    Column("recovered_at", DateTime(timezone=True)),  # the recovery note reached a channel
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


class ItemKind(StrEnum):
    """What a digest message carries: stored articles and revisions."""

    ARTICLE = "article"
    REVISION = "revision"


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
    """An engine for `url`; a SQLite file and its folder are created on first use. Raises `StorageError`."""
    shown = shown_url(url)
    if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
        path = Path(url[len("sqlite:///"):])
        if path.is_file() and path.stat().st_size == 0:
            raise StorageError(shown, "the file is empty (0 bytes), not a database: restore it, or delete it "
                                      "to start a new one")
        try:
            make_folder(path.parent)
        except OSError as exc:
            raise StorageError(shown, f"cannot create its folder: {os_cause(exc)}") from None
    try:
        engine = create_engine(url)
    except NoSuchModuleError:
        raise StorageError(shown, f"unknown database kind {make_url(url).drivername!r}") from None
    except ImportError as exc:
        raise StorageError(shown, f"its driver is not installed ({exc.name or exc}): pip install it") from None
    except ArgumentError as exc:
        raise StorageError(shown, f"not a valid database URL ({exc})") from None
    event.listen(engine, "handle_error", _storage_error(shown))
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    metadata.create_all(engine)
    return engine


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
            conn.execute(insert(list_walks).values(portal="", column="", open=False, depth=0))
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
            "number_changes": [asdict(change) for change in verdict.changes],
            "attachments": list(item.attachments),
            "etag": item.etag,
            "last_modified": item.last_modified,
            **classification_values(classification),
        }
        with self.transaction() as conn:  # stored and out of the frontier in one step
            article_id = conn.execute(insert(articles).values(**values)).inserted_primary_key[0]
            conn.execute(delete(frontier).where(frontier.c.url == item.url))
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
    def walk_resume_depth(self, portal: str, column: str) -> int:
        """How deep an unfinished walk of the column reached (0 when the last walk finished)."""
        query = select(list_walks).where(list_walks.c.portal == portal, list_walks.c.column == column)
        with self.engine.connect() as conn:
            row = conn.execute(query).mappings().first()
        return row["depth"] if row and row["open"] else 0

    def walk_reached(self, portal: str, column: str, page: int) -> None:
        """List page `page` of the column was read: the walk is open and at least this deep."""
        where = (list_walks.c.portal == portal, list_walks.c.column == column)
        with self.transaction() as conn:
            row = conn.execute(select(list_walks).where(*where)).mappings().first()
            if row is None:
                conn.execute(insert(list_walks).values(portal=portal, column=column, open=True, depth=page))
            else:
                depth = max(row["depth"], page) if row["open"] else page
                conn.execute(update(list_walks).where(*where).values(open=True, depth=depth))

    def walk_finished(self, portal: str, column: str, page: int) -> None:
        """The walk of the column ended normally at list page `page`."""
        where = (list_walks.c.portal == portal, list_walks.c.column == column)
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

    def claimed_items(self) -> dict[ItemKind, set[int]]:
        """Articles and revisions carried by a message not yet at every recipient: no new digest takes them."""
        query = (select(outbox_items.c.kind, outbox_items.c.item_id)
                 .join(outbox, outbox.c.id == outbox_items.c.outbox_id)
                 .where(outbox.c.delivered_at.is_(None)))
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
        for kind, table in ((ItemKind.ARTICLE, articles), (ItemKind.REVISION, revisions)):
            carried = select(outbox_items.c.item_id).where(
                outbox_items.c.outbox_id == outbox_id, outbox_items.c.kind == kind.value)
            conn.execute(update(table).where(table.c.id.in_(carried)).values(digest_id=digest_id))

    def note_digest_error(self, digest_id: int, error: str | None) -> None:
        """Why a queued digest has not reached every recipient yet (scrubbed of secrets)."""
        with self.transaction() as conn:
            conn.execute(update(digests).where(digests.c.id == digest_id, digests.c.status != "sent").values(
                error=error))


def _aware(moment: datetime) -> datetime:
    """A datetime read back from the store (SQLite gives naive UTC) as aware UTC."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def _chunks(items: list[str], size: int = 500) -> Iterator[list[str]]:
    for i in range(0, len(items), size):
        yield items[i:i + size]
