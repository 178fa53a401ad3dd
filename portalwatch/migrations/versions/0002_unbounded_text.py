"""Text without a length limit: URLs, portal names, validators and reasons no longer fail on PostgreSQL.

SQLite never enforced VARCHAR(n); PostgreSQL raised StringDataRightTruncation and the article was lost.

Revision ID: 0002_unbounded_text
Revises: 0001_baseline
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_unbounded_text"
down_revision = "0001_baseline"
branch_labels = None
depends_on = None

WIDENED = {
    "digests": {"message_id": 255, "path": 1024},
    "articles": {"url": 2048, "portal": 128, "duplicate_of": 2048, "etag": 512, "last_modified": 64},
    "crawl_runs": {"trigger": 32},
    "portal_runs": {"portal": 128},
    "crawl_errors": {"portal": 128, "url": 2048, "reason": 64},
}


def upgrade() -> None:
    for table, columns in WIDENED.items():
        with op.batch_alter_table(table) as batch:
            for column, length in columns.items():
                batch.alter_column(column, type_=sa.Text, existing_type=sa.String(length))


def downgrade() -> None:
    for table, columns in WIDENED.items():
        with op.batch_alter_table(table) as batch:
            for column, length in columns.items():
                batch.alter_column(column, type_=sa.String(length), existing_type=sa.Text)
