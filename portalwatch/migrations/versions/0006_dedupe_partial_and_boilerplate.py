"""Dedupe: what a new article partly repeats and how much of it is new; boilerplate learned per portal.

Revision ID: 0006_dedupe_partial_and_boilerplate
Revises: 0005_subscriptions_and_meta
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_dedupe_partial_and_boilerplate"
down_revision = "0005_subscriptions_and_meta"
branch_labels = None
depends_on = None

COLUMNS = (
    ("partly_repeats", sa.Text),
    ("partly_repeats_title", sa.Text),
    ("partly_repeats_share", sa.Float),
    ("new_chars", sa.Integer),
)


def upgrade() -> None:
    with op.batch_alter_table("articles") as batch:
        for name, kind in COLUMNS:
            batch.add_column(sa.Column(name, kind))
    op.create_table(
        "boilerplate_scopes",
        sa.Column("scope", sa.String(128), primary_key=True),
        sa.Column("pages", sa.Integer, nullable=False),
    )
    op.create_table(
        "boilerplate_lines",
        sa.Column("scope", sa.String(128), primary_key=True),
        sa.Column("line_key", sa.BigInteger, primary_key=True),
        sa.Column("pages", sa.Integer, nullable=False),
        sa.Column("first_page", sa.Integer, nullable=False),
    )
    op.create_index("ix_boilerplate_lines_scope_pages", "boilerplate_lines", ["scope", "pages"])


def downgrade() -> None:
    op.drop_index("ix_boilerplate_lines_scope_pages", "boilerplate_lines")
    op.drop_table("boilerplate_lines")
    op.drop_table("boilerplate_scopes")
    with op.batch_alter_table("articles") as batch:
        for name, _ in COLUMNS:
            batch.drop_column(name)
