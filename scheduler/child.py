"""Run one portalwatch command in a child process with a time limit, and stop children on shutdown.

Each child gets its own session (process group): a time limit or a shutdown signals the whole group, and
a Ctrl-C in the daemon's terminal reaches only the daemon, which decides what the children get.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass

log = logging.getLogger(__name__)

KILL_WAIT = 10.0  # seconds a child gets to die after SIGKILL before we stop waiting for it


@dataclass
class ChildResult:
    """How a child command ended."""

    command: str
    returncode: int | None
    seconds: float
    timed_out: bool = False
    stopped: bool = False  # ended by a daemon shutdown
    skipped: bool = False  # not started: the daemon is shutting down

    @property
    def ok(self) -> bool:
        return self.returncode == 0


@dataclass
class _Running:
    command: str
    process: subprocess.Popen
    interruptible: bool
    stopped: bool = False


_running: dict[int, _Running] = {}
_guard = threading.Lock()
_stopping = threading.Event()


def portalwatch_argv(config_path: str, *args: str) -> list[str]:
    """The command line of `portalwatch -c CONFIG ARGS...` run by this interpreter."""
    return [sys.executable, "-m", "portalwatch", "-c", config_path, *args]


def run_child(command: str, argv: list[str], time_limit: float, *, interruptible: bool) -> ChildResult:
    """Run `argv` (called `command` in logs) and wait up to `time_limit` s; kill its process group after that.

    `interruptible` children get SIGTERM when the daemon stops; the others are left to finish.
    """
    if _stopping.is_set():
        return ChildResult(command, None, 0.0, skipped=True)
    started = time.monotonic()
    process = subprocess.Popen(argv, start_new_session=True)
    entry = _Running(command, process, interruptible)
    with _guard:
        _running[process.pid] = entry
    log.info("started %s (pid %d, time limit %g s)", command, process.pid, time_limit)
    timed_out = False
    try:
        process.wait(timeout=time_limit)
    except subprocess.TimeoutExpired:
        timed_out = True
        log.error("%s (pid %d) ran past its time limit of %g s: killing it", command, process.pid, time_limit)
        _signal_group(process, signal.SIGKILL)
        _wait_quietly(process, KILL_WAIT)
    finally:
        with _guard:
            _running.pop(process.pid, None)
    return ChildResult(command, process.returncode, time.monotonic() - started, timed_out, entry.stopped)


@dataclass(frozen=True)
class Stopped:
    """What a shutdown did to the running children: the commands it stopped (SIGTERM or SIGKILL), and those
    of them it had to kill."""

    interrupted: list[str]
    killed: list[str]


def stop_children(grace: float) -> Stopped:
    """Refuse new children; SIGTERM the interruptible ones and give every child `grace` s, then SIGKILL."""
    _stopping.set()
    with _guard:
        entries = list(_running.values())
    for entry in entries:
        if entry.interruptible:
            entry.stopped = True
            log.info("stopping %s (pid %d)", entry.command, entry.process.pid)
            _signal_group(entry.process, signal.SIGTERM)
        else:
            log.info("letting %s (pid %d) finish", entry.command, entry.process.pid)
    deadline = time.monotonic() + grace
    killed = []
    for entry in entries:
        if _wait_quietly(entry.process, max(0.0, deadline - time.monotonic())):
            continue
        entry.stopped = True
        log.error("%s (pid %d) did not stop within %g s: killing it", entry.command, entry.process.pid, grace)
        _signal_group(entry.process, signal.SIGKILL)
        _wait_quietly(entry.process, KILL_WAIT)
        killed.append(entry.command)
    return Stopped([entry.command for entry in entries if entry.stopped], killed)


def _signal_group(process: subprocess.Popen, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signum)


def _wait_quietly(process: subprocess.Popen, timeout: float) -> bool:
    """True when the process ended within `timeout` s."""
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        return False
    return True
