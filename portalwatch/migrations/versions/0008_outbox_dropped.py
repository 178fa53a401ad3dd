"""The outbox: when the operator gave up on a message (`portalwatch outbox --drop`), so it is never sent again.

Revision ID: 0008_outbox_dropped
Revises: 0007_frontier_walks_outages
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_outbox_dropped"
down_revision = "0007_frontier_walks_outages"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("dropped_at", sa.DateTime(timezone=True)))


def downgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("dropped_at")
