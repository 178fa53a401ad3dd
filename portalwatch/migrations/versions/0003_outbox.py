"""The outbox: every message stored whole before its first attempt, each recipient with its own delivery state.

Revision ID: 0003_outbox
Revises: 0002_unbounded_text
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_outbox"
down_revision = "0002_unbounded_text"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("message_id", sa.Text, nullable=False, unique=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("digest_id", sa.Integer, sa.ForeignKey("digests.id")),
        sa.Column("subject", sa.Text, nullable=False),
        sa.Column("sender", sa.Text, nullable=False),
        sa.Column("raw", sa.LargeBinary, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("delivered_at", sa.DateTime(timezone=True)),
    )
    op.create_index("ix_outbox_digest_id", "outbox", ["digest_id"])
    op.create_table(
        "outbox_recipients",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("outbox_id", sa.Integer, sa.ForeignKey("outbox.id"), nullable=False),
        sa.Column("address", sa.Text, nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("last_attempt_at", sa.DateTime(timezone=True)),
        sa.Column("sent_at", sa.DateTime(timezone=True)),
        sa.Column("error", sa.Text),
        sa.UniqueConstraint("outbox_id", "address"),
    )
    op.create_index("ix_outbox_recipients_outbox_id", "outbox_recipients", ["outbox_id"])
    op.create_table(
        "outbox_items",
        sa.Column("outbox_id", sa.Integer, sa.ForeignKey("outbox.id"), primary_key=True),
        sa.Column("kind", sa.String(16), primary_key=True),
        sa.Column("item_id", sa.Integer, primary_key=True),
    )
    op.create_index("ix_outbox_items_item_id", "outbox_items", ["item_id"])


def downgrade() -> None:
    for table in ("outbox_items", "outbox_recipients", "outbox"):
        op.drop_table(table)
