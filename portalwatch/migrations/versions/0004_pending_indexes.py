"""Partial indexes over the articles no sent digest carries yet: status and the digest count them from the index.

They hold only pending articles (a week's worth in steady state), so they stay small however big the store grows.

Revision ID: 0004_pending_indexes
Revises: 0003_outbox
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_pending_indexes"
down_revision = "0003_outbox"
branch_labels = None
depends_on = None

NEW = sa.text("digest_id IS NULL AND duplicate_of IS NULL")
COPIES = sa.text("digest_id IS NULL AND duplicate_of IS NOT NULL")


def upgrade() -> None:
    op.create_index("ix_articles_pending_new", "articles", ["kind", "first_seen", "id"],
                    sqlite_where=NEW, postgresql_where=NEW)
    op.create_index("ix_articles_pending_copies", "articles", ["first_seen", "id"],
                    sqlite_where=COPIES, postgresql_where=COPIES)


def downgrade() -> None:
    op.drop_index("ix_articles_pending_copies", "articles")
    op.drop_index("ix_articles_pending_new", "articles")
