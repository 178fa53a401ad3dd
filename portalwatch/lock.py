"""One portalwatch at a time: a file lock next to the database, with who holds it in a side file.

Crawl, digest, run-once and reclassify take it (see `for_command`), so a cron run-once, the daemon's
children and a manual crawl never write the store at the same time. The lock is reentrant within one
process (the crawl runner inside a `portalwatch run-once` finds it already held) and the kernel releases it
when the holder dies, even by kill -9.

A database on a server (PostgreSQL) may be shared by installs on several machines, whose files are not
shared: there the lock is also taken in the database, as a session advisory lock on a connection of its own,
which the server releases when the holder's connection ends, however it ends.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from filelock import FileLock, Timeout

from portalwatch import dblock
from portalwatch.config import Config
from portalwatch.outcomes import Exit
from portalwatch.storage import StorageError, make_folder, os_cause, shown_url

log = logging.getLogger(__name__)

LOCK_NAME = "portalwatch.lock"
HOLDER_SUFFIX = ".json"
LOCKED_COMMANDS = frozenset({"crawl", "digest", "run-once", "reclassify"})
LOOK_GRACE = 2.0  # `current_holder` looks at a free lock by taking it for an instant: a try without a wait meets
# such a look now and then (a daemon starting while `portalwatch status` runs), so it tries again this long

_held: dict[Path, int] = {}
_held_guard = threading.Lock()


class LockBusy(Exception):
    """Another portalwatch process holds the lock (the message says which, and since when)."""

    def __init__(self, message: str, who: str) -> None:
        super().__init__(message)
        self.who = who


@dataclass(frozen=True)
class Holder:
    """Who holds the lock."""

    pid: int
    command: str
    since: datetime
    host: str | None = None  # set when the holder runs on another machine sharing the database

    def describe(self) -> str:
        local = self.since.astimezone()
        when = local.strftime("%H:%M" if local.date() == datetime.now().astimezone().date() else "%Y-%m-%d %H:%M")
        where = f" on {self.host}" if self.host else ""
        return f"another portalwatch (pid {self.pid}{where}, {self.command}, since {when})"


def lock_path(config: Config, name: str = LOCK_NAME) -> Path:
    return config.data_dir / name


def _holder_file(path: Path) -> Path:
    return path.with_name(path.name + HOLDER_SUFFIX)


def read_holder(path: Path) -> Holder | None:
    """The holder recorded beside the lock file at `path`, if any (it may be stale when the lock is free)."""
    try:
        data = json.loads(_holder_file(path).read_text(encoding="utf-8"))
        return Holder(int(data["pid"]), str(data["command"]), datetime.fromisoformat(data["since"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _write_holder(path: Path, command: str) -> None:
    record = {"pid": os.getpid(), "command": command, "since": datetime.now(UTC).isoformat(timespec="seconds")}
    tmp = _holder_file(path).with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(json.dumps(record), encoding="utf-8")
    os.replace(tmp, _holder_file(path))


def current_holder(config: Config, name: str = LOCK_NAME) -> Holder | None:
    """Who holds the lock `name` now, or None when it is free (probed without waiting)."""
    path = lock_path(config, name)
    with _held_guard:
        if _held.get(path, 0) > 0:
            return read_holder(path)
    if path.parent.exists():
        probe = FileLock(path, thread_local=False)
        try:
            probe.acquire(timeout=0)
        except Timeout:
            return read_holder(path) or Holder(0, "unknown command", datetime.now(UTC))
        probe.release()
    if dblock.shared(config.database):
        return _from_owner(dblock.holder_of(config.database, name))
    return None


def held_here(config: Config) -> bool:
    """True when this process already holds the lock."""
    with _held_guard:
        return _held.get(lock_path(config), 0) > 0


def _describe(path: Path) -> str:
    holder = read_holder(path)
    return holder.describe() if holder else "another portalwatch process"


@contextlib.contextmanager
def exclusive(config: Config, command: str, wait: float | None = None, name: str = LOCK_NAME) -> Iterator[None]:
    """Hold the lock `name` for `command`, waiting up to `wait` s (default `schedule.lock_wait_seconds`).

    Raises `LockBusy` naming the holder when it is still taken after the wait.
    """
    path = lock_path(config, name)
    with _held_guard:
        if _held.get(path, 0) > 0:
            _held[path] += 1
            reentered = True
        else:
            reentered = False
    if reentered:
        try:
            yield
        finally:
            with _held_guard:
                _held[path] -= 1
        return
    wait = config.schedule.lock_wait_seconds if wait is None else wait
    lock = FileLock(path, thread_local=False)
    try:
        make_folder(path.parent)
        _acquire(lock, path, wait)
    except OSError as exc:  # the data folder beside the database cannot be made, or is read-only
        raise StorageError(shown_url(config.database), f"cannot take the lock {path}: {os_cause(exc)}") from None
    try:
        with _database_lock(config, name, command, wait):
            try:
                _write_holder(path, command)
            except OSError as exc:
                raise StorageError(shown_url(config.database),
                                   f"cannot write {path.parent}: {os_cause(exc)}") from None
            with _held_guard:
                _held[path] = 1
            yield
    finally:
        with _held_guard:
            _held.pop(path, None)
        with contextlib.suppress(OSError):
            _holder_file(path).unlink()
        lock.release()


@contextlib.contextmanager
def _database_lock(config: Config, name: str, command: str, wait: float) -> Iterator[None]:
    """The same lock taken in a shared database (nothing to take for a SQLite file: its folder holds the lock)."""
    if not dblock.shared(config.database):
        yield
        return
    lock = dblock.DatabaseLock(config.database, name, command)
    if not lock.acquire(0):
        if wait <= 0:
            who = _describe_holder(lock.holder())
            lock.close()
            raise LockBusy(f"{who} is running; exiting", who)
        log.warning("%s is running; waiting up to %g s", _describe_holder(lock.holder()), wait)
        if not lock.acquire(wait):
            who = _describe_holder(lock.holder())
            lock.close()
            raise LockBusy(f"{who} is still running after waiting {wait:g} s; exiting", who)
        log.info("lock free; going on")
    try:
        yield
    finally:
        lock.close()


def _describe_holder(owner: dblock.Owner | None) -> str:
    holder = _from_owner(owner)
    return holder.describe() if holder else "another portalwatch process"


def _from_owner(owner: dblock.Owner | None) -> Holder | None:
    return Holder(owner.pid, owner.command, owner.since, owner.host) if owner else None


def _acquire(lock: FileLock, path: Path, wait: float) -> None:
    try:
        lock.acquire(timeout=0)
        return
    except Timeout:
        pass
    if wait <= 0:
        log.info("the lock %s is taken; trying again for %g s (a look at a lock takes it for an instant)",
                 path.name, LOOK_GRACE)
        try:
            lock.acquire(timeout=LOOK_GRACE)
            return
        except Timeout:
            who = _describe(path)
            raise LockBusy(f"{who} is running; exiting", who) from None
    log.warning("%s is running; waiting up to %g s", _describe(path), wait)
    try:
        lock.acquire(timeout=wait)
    except Timeout:
        who = _describe(path)
        raise LockBusy(f"{who} is still running after waiting {wait:g} s; exiting", who) from None
    log.info("lock free; going on")


def for_command(config: Config, command: str) -> contextlib.AbstractContextManager[None]:
    """The lock for a CLI command that writes the store, or a no-op for one that only reads."""
    return exclusive(config, command) if command in LOCKED_COMMANDS else contextlib.nullcontext()


def report_busy(exc: LockBusy) -> int:
    """Tell the user another run is in the way; the exit code for it."""
    print(f"portalwatch: {exc}", file=sys.stderr)
    return Exit.BUSY
