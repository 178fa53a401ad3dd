"""How runs, portals and article links end, and the exit codes that tell it to cron and to people."""

from __future__ import annotations

import signal
from enum import IntEnum

from portalwatch.states import DOWN, LinkState, PortalStatus, RunStatus

__all__ = ["DOWN", "Exit", "LinkState", "PortalStatus", "PreflightError", "RunStatus", "exit_code", "run_status"]


class PreflightError(Exception):
    """A crawl cannot do its work (seeds, selectors); the text names the file, portal or key in one line."""


class Exit(IntEnum):
    """Exit codes of the commands (the README lists them)."""

    OK = 0
    LOST_WORK = 1  # a portal failed, was blocked or partial, or the digest could not be sent
    CONFIG = 2  # config error, or a preflight check failed (seeds, selectors)
    KILLED = 3  # the crawl ran past its time limit
    SCHEMA_TOO_NEW = 4  # the database was upgraded by a newer portalwatch
    BUSY = 75  # another portalwatch held the lock
    STORAGE = 74  # the database cannot be opened, written or understood (EX_IOERR)
    SIGINT = 128 + signal.SIGINT  # 130
    SIGTERM = 128 + signal.SIGTERM  # 143


def run_status(portals: list[PortalStatus], interrupted: bool) -> RunStatus:
    """The run's status from its portals'."""
    if interrupted or PortalStatus.INTERRUPTED in portals:
        return RunStatus.INTERRUPTED
    if all(s == PortalStatus.OK for s in portals):
        return RunStatus.OK
    if all(s in DOWN for s in portals):
        return RunStatus.FAILED
    return RunStatus.PARTIAL


def exit_code(status: RunStatus, signum: int | None = None) -> Exit:
    """The exit code of a crawl that ended with `status` (and the signal that stopped it, if any)."""
    if status == RunStatus.INTERRUPTED:
        return Exit.SIGTERM if signum == signal.SIGTERM else Exit.SIGINT
    if status == RunStatus.KILLED:
        return Exit.KILLED
    return Exit.OK if status == RunStatus.OK else Exit.LOST_WORK
