"""Subscriptions (when each began, its digests, the ledger of what each was sent) and the 政府信息公开 table of
an article's page.

Revision ID: 0005_subscriptions_and_meta
Revises: 0004_pending_indexes
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_subscriptions_and_meta"
down_revision = "0004_pending_indexes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "article_meta",
        sa.Column("article_id", sa.Integer, sa.ForeignKey("articles.id"), primary_key=True),
        sa.Column("meta", sa.JSON, nullable=False),
    )
    op.create_table(
        "subscriptions",
        sa.Column("name", sa.Text, primary_key=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True)),
    )
    op.create_table(
        "subscription_digests",
        sa.Column("digest_id", sa.Integer, sa.ForeignKey("digests.id"), primary_key=True),
        sa.Column("subscription", sa.Text, nullable=False),
    )
    op.create_index("ix_subscription_digests_subscription", "subscription_digests", ["subscription"])
    op.create_table(
        "subscription_ledger",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("subscription", sa.Text, nullable=False),
        sa.Column("item_kind", sa.String(16), nullable=False),
        sa.Column("item_id", sa.Integer, nullable=False),
        sa.Column("digest_id", sa.Integer, sa.ForeignKey("digests.id"), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("subscription", "item_kind", "item_id"),
    )
    op.create_index("ix_subscription_ledger_digest_id", "subscription_ledger", ["digest_id"])


def downgrade() -> None:
    for table in ("subscription_ledger", "subscription_digests", "subscriptions", "article_meta"):
        op.drop_table(table)
