"""The portalwatch lock taken in a shared database: a PostgreSQL session advisory lock.

The lock lives on a connection of its own, named (`application_name`) after the command, process and host
holding it, so a second install can say who is in its way; the server frees it when that connection ends,
even when the holder's machine dies.
"""

from __future__ import annotations

import os
import socket
import time
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import make_url, text
from sqlalchemy.engine import Connection
from sqlalchemy.pool import NullPool

from portalwatch.storage import open_engine

NAMESPACE = "portalwatch"
POLL = 0.2  # seconds between two tries while waiting
HOLDERS = text(
    "SELECT a.application_name, a.backend_start FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
    "WHERE l.locktype = 'advisory' AND l.granted AND l.classid = :space AND l.objid = :key AND l.objsubid = 2 "
    "AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())"
)  # an advisory lock belongs to one database: another database's holder on the same server holds nothing here


def shared(url: str) -> bool:
    """True for a database other installs may reach: one on a PostgreSQL server."""
    return make_url(url).get_backend_name() == "postgresql"


def _int4(value: str) -> int:
    """A stable signed 32-bit key for `value` (advisory locks take two of them)."""
    number = zlib.crc32(value.encode("utf-8"))
    return number - (1 << 32) if number >= 1 << 31 else number


def _keys(name: str) -> dict[str, int]:
    return {"space": _int4(NAMESPACE), "key": _int4(name)}


@dataclass(frozen=True)
class Owner:
    """Who holds a database lock, as its connection names it."""

    pid: int
    command: str
    since: datetime
    host: str | None


def _application_name(command: str) -> str:
    """`portalwatch crawl 1234@host`, within PostgreSQL's 63 bytes."""
    return f"{NAMESPACE} {command.replace(' ', '_')} {os.getpid()}@{socket.gethostname()}"[:63]


def _owner(application_name: str, since: datetime) -> Owner:
    parts = application_name.split(" ")
    if len(parts) == 3 and parts[0] == NAMESPACE and "@" in parts[2]:
        pid, _, host = parts[2].partition("@")
        here = host == socket.gethostname()
        return Owner(int(pid) if pid.isdigit() else 0, parts[1].replace("_", " "), since, None if here else host)
    return Owner(0, application_name or "unknown command", since, None)


def _holder(connection: Connection, name: str) -> Owner | None:
    row = connection.execute(HOLDERS, _keys(name)).first()
    if row is None:
        return None
    since = row.backend_start or datetime.now(UTC)
    return _owner(row.application_name or "", since)


class DatabaseLock:
    """The advisory lock `name` in the database at `url`, for `command` of this process."""

    def __init__(self, url: str, name: str, command: str) -> None:
        self.name = name
        self._engine = open_engine(url, poolclass=NullPool,
                                   connect_args={"application_name": _application_name(command)})
        self._connection = self._engine.connect().execution_options(isolation_level="AUTOCOMMIT")

    def acquire(self, wait: float) -> bool:
        """Take the lock, trying for up to `wait` s; False when another session still holds it."""
        deadline = time.monotonic() + wait
        while True:
            taken = self._connection.execute(text("SELECT pg_try_advisory_lock(:space, :key)"), _keys(self.name))
            if taken.scalar_one():
                return True
            if time.monotonic() >= deadline:
                return False
            time.sleep(min(POLL, max(0.0, deadline - time.monotonic())))

    def holder(self) -> Owner | None:
        return _holder(self._connection, self.name)

    def close(self) -> None:
        """Release the lock (closing the session releases it) and the connection."""
        self._connection.close()
        self._engine.dispose()


def holder_of(url: str, name: str) -> Owner | None:
    """Who holds the lock `name` in the database at `url`, or None."""
    engine = open_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            return _holder(connection, name)
    finally:
        engine.dispose()
