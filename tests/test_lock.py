"""The portalwatch lock across real processes: who holds it, waiting, giving up, and a holder killed with -9."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from test_scheduler_support import REPO, Holder, make_config, process_env

from portalwatch.config import Config
from portalwatch.lock import LockBusy, current_holder, exclusive, held_here
from portalwatch.outcomes import Exit


@pytest.fixture
def config(tmp_path: Path) -> Config:
    return make_config(tmp_path)


def test_second_process_is_told_who_holds_the_lock(config: Config) -> None:
    holder = Holder(config, "crawl")
    try:
        with pytest.raises(LockBusy) as caught, exclusive(config, "digest", wait=0):
            pytest.fail("took a lock another process holds")
        message = str(caught.value)
        assert f"another portalwatch (pid {holder.process.pid}, crawl, since " in message
        assert message.endswith("is running; exiting")
        found = current_holder(config)
        assert found is not None and found.pid == holder.process.pid and found.command == "crawl"
    finally:
        holder.close()


def test_waiter_gets_the_lock_when_the_holder_finishes(config: Config) -> None:
    holder = Holder(config, "run-once")
    try:
        threading.Timer(0.5, holder.release).start()
        with exclusive(config, "crawl", wait=30):
            assert holder.process.wait(timeout=10) == 0
            assert holder.process.stdout.read().strip() == "released"
            assert current_holder(config).pid == os.getpid()
    finally:
        holder.close()
    assert current_holder(config) is None


def test_waiter_gives_up_after_its_wait(config: Config) -> None:
    holder = Holder(config, "crawl")
    try:
        with pytest.raises(LockBusy, match=r"still running after waiting 0\.3 s; exiting"), \
                exclusive(config, "run-once", wait=0.3):
            pytest.fail("took a lock another process holds")
        assert holder.process.poll() is None
    finally:
        holder.close()


def test_holder_killed_with_sigkill_frees_the_lock(config: Config) -> None:
    holder = Holder(config, "crawl")
    holder.process.send_signal(signal.SIGKILL)
    holder.close()
    assert current_holder(config) is None
    with exclusive(config, "crawl", wait=0):
        assert held_here(config)


def test_lock_is_reentrant_within_one_process(config: Config) -> None:
    with exclusive(config, "crawl", wait=0):
        with exclusive(config, "scrapy crawl", wait=0):
            assert held_here(config)
        assert held_here(config)
        assert current_holder(config).command == "crawl"
    assert not held_here(config)
    assert current_holder(config) is None


def test_cli_command_exits_busy_with_the_holders_name(tmp_path: Path) -> None:
    config = make_config(tmp_path, "schedule:\n  lock_wait_seconds: 0\n")
    holder = Holder(config, "crawl")
    try:
        done = subprocess.run(
            [sys.executable, "-m", "portalwatch", "-c", str(config.source), "run-once"],
            capture_output=True, text=True, env=process_env(), cwd=REPO, timeout=60,
        )
    finally:
        holder.close()
    assert done.returncode == Exit.BUSY
    assert f"another portalwatch (pid {holder.process.pid}, crawl, since " in done.stderr
    assert "is running; exiting" in done.stderr
