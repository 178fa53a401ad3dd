"""Helpers for the scheduler, run-once and status tests: a config for the fixture sites and a real SMTP server,
portalwatch run as a real process, and bounded waits. (No tests here.)"""

from __future__ import annotations

import email
import os
import subprocess
import sys
import time
from collections.abc import Callable
from email.policy import default
from pathlib import Path
from typing import IO

import testdb
import yaml
from sqlalchemy import select
from sqlalchemy.engine import RowMapping

from portalwatch.config import Config, load_config
from portalwatch.storage import Store, crawl_runs

REPO = Path(__file__).resolve().parents[1]
QUICK_PORTALS = ("trs", "park")  # two portal kinds whose fixture sites crawl in a second or two


HOLD = """
import sys
from portalwatch.config import load_config
from portalwatch.lock import exclusive
config = load_config(sys.argv[1])
with exclusive(config, sys.argv[2], wait=0):
    print("held", flush=True)
    sys.stdin.readline()
print("released", flush=True)
"""


def make_config(tmp_path: Path, extra: str = "") -> Config:
    path = tmp_path / "config.yaml"
    path.write_text(f"database: {testdb.database_for(tmp_path)}\n{extra}", encoding="utf-8")
    return load_config(path)


def process_env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(REPO)}


class Holder:
    """A real second process that takes the lock for `command` and keeps it until told to let go."""

    def __init__(self, config: Config, command: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-c", HOLD, str(config.source), command],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=process_env(), cwd=REPO,
        )
        assert self.process.stdout.readline().strip() == "held"

    def release(self) -> None:
        self.process.stdin.write("\n")
        self.process.stdin.flush()

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(timeout=10)


def write_config(folder: Path, portals: list[dict], smtp_port: int, **schedule: float) -> Config:
    """A config for the fixture sites `portals`, mailing to the SMTP server on `smtp_port`."""
    data = {
        "database": testdb.database_for(folder),
        "seeds_dir": str(REPO / "seeds"),
        "crawl": {"download_delay": 0, "obey_robots": False, "time_limit_minutes": 2},
        "schedule": {"lock_wait_seconds": 60, **schedule},
        "email": {"smtp_host": "127.0.0.1", "smtp_port": smtp_port, "to": ["analyst@example.org"]},
        "digest": {"max_bytes": 5_000_000},
        "portals": [p for p in portals if p["name"] in QUICK_PORTALS],
    }
    path = folder / "config.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return load_config(path)


def portalwatch(config: Config, *args: str, stdout: IO | int = subprocess.PIPE) -> subprocess.Popen:
    """`portalwatch -c CONFIG ARGS...` as a real process."""
    return subprocess.Popen(
        [sys.executable, "-m", "portalwatch", "-c", str(config.source), *args],
        cwd=REPO, env=process_env(), stdout=stdout, text=True,
        stderr=subprocess.STDOUT if stdout == subprocess.PIPE else stdout,
    )


def wait_for(condition: Callable[[], object], timeout: float, what: str) -> None:
    """Poll `condition` until it is true; fail the test naming `what` after `timeout` s."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:g} s waiting for {what}")
        time.sleep(0.1)


def runs(config: Config) -> list[RowMapping]:
    """The crawl_runs rows, oldest first."""
    with Store(config.database).engine.connect() as conn:
        return list(conn.execute(select(crawl_runs).order_by(crawl_runs.c.id)).mappings())


def html_of(raw: bytes) -> str:
    """The HTML part of a received mail."""
    message = email.message_from_bytes(raw, policy=default)
    return message.get_body(preferencelist=("html",)).get_content()
