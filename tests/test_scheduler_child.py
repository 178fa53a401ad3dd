"""Child processes of the daemon: a time limit kills the whole process group; a normal end is reported as is."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from scheduler.child import run_child

STUCK = """
import subprocess, sys, time
grandchild = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
open(sys.argv[1], "w").write(str(grandchild.pid))
time.sleep(120)
"""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a killed child of the stuck process may linger as a zombie until init reaps it
    stat = Path(f"/proc/{pid}/stat")
    return not (stat.exists() and stat.read_text().split(")")[-1].split()[0] == "Z")


def test_stuck_child_and_its_children_are_killed_at_the_time_limit(tmp_path: Path) -> None:
    pid_file = tmp_path / "grandchild.pid"
    result = run_child("stuck", [sys.executable, "-c", STUCK, str(pid_file)], 2.0, interruptible=True)
    assert result.timed_out
    assert result.returncode == -9
    assert 2.0 <= result.seconds < 20
    grandchild = int(pid_file.read_text())
    deadline = time.monotonic() + 10
    while _alive(grandchild) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _alive(grandchild), "the stuck child's own child survived the time limit"


def test_child_that_ends_in_time_reports_its_exit_code() -> None:
    result = run_child("quick", [sys.executable, "-c", "raise SystemExit(1)"], 30.0, interruptible=False)
    assert (result.returncode, result.timed_out, result.stopped, result.ok) == (1, False, False, False)
    result = run_child("quick", [sys.executable, "-c", "pass"], 30.0, interruptible=False)
    assert result.ok
