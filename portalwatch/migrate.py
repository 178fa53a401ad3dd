"""The database schema, brought to this program's revision by Alembic (`portalwatch/migrations/`).

Every Store upgrades its database on start, under a lock held in the database itself where it is shared
(a PostgreSQL advisory lock) and a file lock beside a SQLite file, so any number of installs starting at once
create or upgrade the schema exactly once. A database made before migrations existed (tables, no
`alembic_version`) is taken as the baseline revision and upgraded from there. A database whose revision this
program does not know was upgraded by a newer portalwatch: it is left alone with a `SchemaTooNew` error.
"""

from __future__ import annotations

import logging
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from filelock import FileLock
from sqlalchemy import Engine, inspect, text
from sqlalchemy.engine import Connection

log = logging.getLogger(__name__)
logging.getLogger("alembic").setLevel(logging.WARNING)  # its INFO lines name each step; ours says what changed

SCRIPTS = "portalwatch:migrations"
BASELINE = "0001_baseline"  # the schema `metadata.create_all` made before there were migrations
BASELINE_TABLE = "articles"
SCHEMA_LOCK_KEY = zlib.crc32(b"portalwatch schema")  # pg_advisory_xact_lock key shared by every install
VERSION_TABLE = "alembic_version"
VERSION_LENGTH = 128  # Alembic makes its column VARCHAR(32), shorter than our revision names; SQLite ignores it


class SchemaTooNew(Exception):
    """The database was upgraded by a newer portalwatch than this one."""


@dataclass(frozen=True)
class Upgrade:
    """What `upgrade` did: the revision found and the one left."""

    before: str | None
    after: str

    @property
    def changed(self) -> bool:
        return self.before != self.after


def alembic_config(connection: Connection | None = None) -> AlembicConfig:
    config = AlembicConfig()
    config.set_main_option("script_location", SCRIPTS)
    config.attributes["connection"] = connection
    return config


@cache
def scripts() -> ScriptDirectory:
    return ScriptDirectory.from_config(alembic_config())


def head() -> str:
    """The newest revision this program knows (one head only: migrations form a single chain)."""
    return scripts().get_current_head()


@cache
def known_revisions() -> frozenset[str]:
    return frozenset(rev.revision for rev in scripts().walk_revisions())


def describe(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=True)


def current(connection: Connection) -> str | None:
    """The database's revision; the baseline for a database made before migrations; None for an empty one."""
    revision = MigrationContext.configure(connection).get_current_revision()
    if revision is None and inspect(connection).has_table(BASELINE_TABLE):
        return BASELINE
    return revision


def _check_known(engine: Engine, revision: str | None) -> None:
    if revision is not None and revision not in known_revisions():
        raise SchemaTooNew(
            f"the database {describe(engine)} has schema revision {revision}, which this portalwatch does not "
            f"know (its newest is {head()}): it was upgraded by a newer portalwatch; install that version"
        )


def upgrade(engine: Engine) -> Upgrade:
    """Bring the database to `head()`; a no-op (one query) when it is there already."""
    with engine.connect() as connection:
        found = current(connection)
    _check_known(engine, found)
    if found == head():
        return Upgrade(found, found)
    with _schema_lock(engine) as connection:
        found = current(connection)  # another install may have upgraded it while we waited
        _check_known(engine, found)
        if found != head():
            _fit_version_table(connection)
            if found == BASELINE and MigrationContext.configure(connection).get_current_revision() is None:
                command.stamp(alembic_config(connection), BASELINE)
            command.upgrade(alembic_config(connection), "head")
            log.info("database %s: schema upgraded from %s to %s", describe(engine), found or "empty", head())
        connection.commit()
    return Upgrade(found, head())


def _fit_version_table(connection: Connection) -> None:
    """Make (or widen) Alembic's version table so that it holds our revision names."""
    if connection.dialect.name == "sqlite":
        return
    if not inspect(connection).has_table(VERSION_TABLE):
        connection.execute(text(f"CREATE TABLE {VERSION_TABLE} (version_num VARCHAR({VERSION_LENGTH}) NOT NULL, "
                                f"CONSTRAINT {VERSION_TABLE}_pkc PRIMARY KEY (version_num))"))
        return
    column = next(c for c in inspect(connection).get_columns(VERSION_TABLE) if c["name"] == "version_num")
    if (getattr(column["type"], "length", None) or VERSION_LENGTH) < VERSION_LENGTH:
        connection.execute(text(f"ALTER TABLE {VERSION_TABLE} ALTER COLUMN version_num TYPE VARCHAR({VERSION_LENGTH})"))


@contextmanager
def _schema_lock(engine: Engine) -> Iterator[Connection]:
    """A connection that alone may change the schema until it commits."""
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": SCHEMA_LOCK_KEY})
            yield connection
        return
    database = engine.url.database if engine.dialect.name == "sqlite" else None
    lock = FileLock(f"{database}.schema.lock") if database and database != ":memory:" else None
    if lock is not None:
        Path(database).parent.mkdir(parents=True, exist_ok=True)
        lock.acquire()
    try:
        with engine.connect() as connection:
            if engine.dialect.name == "sqlite":
                _begin_sqlite_ddl(connection)
            try:
                yield connection
            finally:
                if engine.dialect.name == "sqlite":
                    connection.rollback()
                    connection.connection.driver_connection.isolation_level = ""
                    connection.exec_driver_sql("PRAGMA foreign_keys=ON")
    finally:
        if lock is not None:
            lock.release()


def _begin_sqlite_ddl(connection: Connection) -> None:
    """Open one SQLite transaction that holds the schema changes too, so a process killed mid-upgrade leaves
    the schema as it was. (Python's sqlite3 commits before each CREATE or ALTER on its own; here it is told
    not to manage transactions, and the transaction is begun by hand.)"""
    # a table copy (SQLite's way to change a column) must not trip the foreign keys pointing at it
    connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
    connection.connection.driver_connection.isolation_level = None
    connection.exec_driver_sql("BEGIN IMMEDIATE")
