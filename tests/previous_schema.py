"""The schema of the release before migrations, as its `metadata.create_all` made it (for upgrade tests).

Copied from portalwatch/storage.py of that release; it must never change: it is what users' databases hold.
"""

from sqlalchemy import JSON, Column, Date, DateTime, Float, ForeignKey, Integer, MetaData, String, Table, Text

metadata = MetaData()

digests = Table(
    "digests",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("period_start", DateTime(timezone=True)),
    Column("period_end", DateTime(timezone=True), nullable=False),
    Column("status", String(16), nullable=False),  # pending | sent | failed | written
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

