"""Never lose an article: the frontier of links not stored yet, how deep each column's walk got, portal outages.

Revision ID: 0007_frontier_walks_outages
Revises: 0006_dedupe_partial_and_boilerplate
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_frontier_walks_outages"
down_revision = "0006_dedupe_partial_and_boilerplate"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "frontier",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("portal", sa.Text, nullable=False),
        sa.Column("url", sa.Text, nullable=False, unique=True),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("last_error", sa.Text),
        sa.Column("first_seen", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen", sa.DateTime(timezone=True), nullable=False),
        sa.Column("given_up_at", sa.DateTime(timezone=True)),
    )
    op.create_index("ix_frontier_portal", "frontier", ["portal"])
    op.create_table(
        "list_walks",
        sa.Column("portal", sa.Text, primary_key=True),
        sa.Column("start_url", sa.Text, primary_key=True),
        sa.Column("open", sa.Boolean, nullable=False),
        sa.Column("depth", sa.Integer, nullable=False),
        sa.Column("complete_depth", sa.Integer),
        sa.Column("finished_at", sa.DateTime(timezone=True)),
    )
    op.create_table(
        "portal_outages",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("portal", sa.Text, nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("message", sa.Text),
        sa.Column("alerted_at", sa.DateTime(timezone=True)),
        sa.Column("recovered_at", sa.DateTime(timezone=True)),
    )
    op.create_index("ix_portal_outages_portal", "portal_outages", ["portal"])


def downgrade() -> None:
    op.drop_index("ix_portal_outages_portal", "portal_outages")
    op.drop_table("portal_outages")
    op.drop_table("list_walks")
    op.drop_index("ix_frontier_portal", "frontier")
    op.drop_table("frontier")
