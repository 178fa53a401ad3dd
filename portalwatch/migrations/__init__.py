"""Alembic migrations of the portalwatch database: every schema change is one revision under `versions/`."""
