"""Baseline: the schema of the first release, as `metadata.create_all` made it before migrations existed.

Revision ID: 0001_baseline
Revises:
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001_baseline"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "digests",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("period_start", sa.DateTime(timezone=True)),
        sa.Column("period_end", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True)),
        sa.Column("message_id", sa.String(255)),
        sa.Column("path", sa.String(1024)),
        sa.Column("counts", sa.JSON, nullable=False),
        sa.Column("error", sa.Text),
    )
    op.create_table(
        "articles",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("url", sa.String(2048), nullable=False, unique=True),
        sa.Column("portal", sa.String(128), nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("published", sa.Date),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("first_seen", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("duplicate_of", sa.String(2048)),
        sa.Column("duplicate_title", sa.Text),
        sa.Column("similarity", sa.Float),
        sa.Column("number_changes", sa.JSON, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("districts", sa.JSON, nullable=False),
        sa.Column("amounts", sa.JSON, nullable=False),
        sa.Column("projects", sa.JSON, nullable=False),
        sa.Column("stage", sa.String(16)),
        sa.Column("policies", sa.JSON, nullable=False),
        sa.Column("doc_numbers", sa.JSON, nullable=False),
        sa.Column("issuers", sa.JSON, nullable=False),
        sa.Column("summary", sa.Text, nullable=False),
        sa.Column("attachments", sa.JSON, nullable=False),
        sa.Column("etag", sa.String(512)),
        sa.Column("last_modified", sa.String(64)),
        sa.Column("digest_id", sa.Integer, sa.ForeignKey("digests.id")),
    )
    op.create_index("ix_articles_portal", "articles", ["portal"])
    op.create_index("ix_articles_content_hash", "articles", ["content_hash"])
    op.create_index("ix_articles_first_seen", "articles", ["first_seen"])
    op.create_index("ix_articles_digest_id", "articles", ["digest_id"])
    op.create_table(
        "revisions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("article_id", sa.Integer, sa.ForeignKey("articles.id"), nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("old_title", sa.Text, nullable=False),
        sa.Column("new_title", sa.Text, nullable=False),
        sa.Column("old_text", sa.Text, nullable=False),
        sa.Column("new_text", sa.Text, nullable=False),
        sa.Column("digest_id", sa.Integer, sa.ForeignKey("digests.id")),
    )
    op.create_index("ix_revisions_article_id", "revisions", ["article_id"])
    op.create_index("ix_revisions_digest_id", "revisions", ["digest_id"])
    op.create_table(
        "crawl_runs",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True)),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("trigger", sa.String(32), nullable=False),
    )
    op.create_table(
        "portal_runs",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("run_id", sa.Integer, sa.ForeignKey("crawl_runs.id"), nullable=False),
        sa.Column("portal", sa.String(128), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("list_pages", sa.Integer, nullable=False),
        sa.Column("articles_fetched", sa.Integer, nullable=False),
        sa.Column("not_modified", sa.Integer, nullable=False),
        sa.Column("new", sa.Integer, nullable=False),
        sa.Column("duplicate", sa.Integer, nullable=False),
        sa.Column("revised", sa.Integer, nullable=False),
        sa.Column("errors", sa.Integer, nullable=False),
        sa.Column("message", sa.Text),
    )
    op.create_index("ix_portal_runs_run_id", "portal_runs", ["run_id"])
    op.create_table(
        "crawl_errors",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("run_id", sa.Integer, sa.ForeignKey("crawl_runs.id"), nullable=False),
        sa.Column("portal", sa.String(128), nullable=False),
        sa.Column("url", sa.String(2048)),
        sa.Column("reason", sa.String(64), nullable=False),
        sa.Column("detail", sa.Text),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_crawl_errors_run_id", "crawl_errors", ["run_id"])


def downgrade() -> None:
    for table in ("crawl_errors", "portal_runs", "crawl_runs", "revisions", "articles", "digests"):
        op.drop_table(table)
