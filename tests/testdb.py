"""The database the suite runs on: SQLite files, or fresh databases on a PostgreSQL server.

`PORTALWATCH_TEST_DB` unset (or `sqlite`) runs the suite on SQLite files under each test's tmp_path; set to a
PostgreSQL server URL such as `postgresql+psycopg://postgres@127.0.0.1:5432/postgres` it gives every test
databases of its own, created on that server when first asked for and dropped when the test ends.
"""

from __future__ import annotations

import os
import re
import uuid
from pathlib import Path

from sqlalchemy import create_engine, make_url, text

ENV = "PORTALWATCH_TEST_DB"
_created: dict[tuple[Path, str], str] = {}


def server_url() -> str | None:
    """The PostgreSQL server the suite runs on, or None for SQLite."""
    value = os.environ.get(ENV, "").strip()
    return None if value in ("", "sqlite") else value


def dialect() -> str:
    server = server_url()
    return make_url(server).get_backend_name() if server else "sqlite"


def database_for(folder: Path, name: str = "portalwatch") -> str:
    """The URL of the database `name` of the test working in `folder` (empty when first asked for)."""
    server = server_url()
    if server is None:
        (folder / "data").mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{folder / 'data' / name}.db"
    key = (folder.resolve(), name)
    if key not in _created:
        database = f"pw_test_{re.sub(r'[^a-z0-9]', '', name.lower())[:20]}_{uuid.uuid4().hex[:10]}"
        _admin(f'CREATE DATABASE "{database}"')
        _created[key] = make_url(server).set(database=database).render_as_string(hide_password=False)
    return _created[key]


def created() -> set[tuple[Path, str]]:
    """The databases made so far and not dropped yet."""
    return set(_created)


def drop_created(keep: set[tuple[Path, str]] = frozenset()) -> None:
    """Drop the databases made so far, except those in `keep` (made before a test, by a wider fixture)."""
    for key in set(_created) - set(keep):
        url = _created.pop(key)
        _admin(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')


def _admin(statement: str) -> None:
    engine = create_engine(server_url(), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text(statement))
    finally:
        engine.dispose()
