"""Alembic environment: runs on the connection `portalwatch.migrate` hands over (never reads alembic.ini)."""

from __future__ import annotations

from alembic import context

from portalwatch.storage import metadata

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",  # SQLite changes a column by copying its table
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
