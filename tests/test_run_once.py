"""`portalwatch run-once` as real processes against the fixture sites and a real SMTP server: two started
together never overlap and mail one digest; a digest goes out only when due or forced; a stuck crawl is
killed and recorded."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import testdb
from smtp_server import smtp_server
from test_scheduler_support import REPO, portalwatch, runs, write_config

from portalwatch.storage import Store

pytestmark = pytest.mark.timeout(240)


def finish(process: subprocess.Popen) -> tuple[int, str]:
    output, _ = process.communicate(timeout=120)
    return process.returncode, output


def test_two_run_once_started_together_do_not_overlap(tmp_path: Path, fixture_sites) -> None:
    with smtp_server() as (port, recorder):
        config = write_config(tmp_path, fixture_sites.portals(), port)
        first, second = portalwatch(config, "run-once"), portalwatch(config, "run-once")
        results = [finish(first), finish(second)]
    outputs = "\n".join(output for _, output in results)
    assert [code for code, _ in results] == [0, 0], outputs
    assert outputs.count("is running; waiting up to 60 s") == 1
    crawl_rows = runs(config)
    assert [(r["trigger"], r["status"]) for r in crawl_rows] == [("run-once", "ok"), ("run-once", "ok")]
    assert crawl_rows[0]["finished_at"] <= crawl_rows[1]["started_at"], "the two crawls overlapped"
    assert len(recorder.received) == 1, "both run-once processes mailed a digest"
    assert outputs.count("digest sent to analyst@example.org") == 1
    assert "digest not due: the last one was sent" in outputs


def test_digest_waits_for_its_week_unless_forced(tmp_path: Path, fresh_sites) -> None:
    with smtp_server() as (port, recorder):
        config = write_config(tmp_path, fresh_sites.portals(), port)
        code, output = finish(portalwatch(config, "run-once"))
        assert code == 0, output
        assert len(recorder.received) == 1
        fresh_sites.set_version(2)
        code, output = finish(portalwatch(config, "run-once"))
        assert code == 0, output
        assert "digest not due: the last one was sent" in output
        assert len(recorder.received) == 1
        code, output = finish(portalwatch(config, "run-once", "--force-digest"))
        assert code == 0, output
        assert "digest sent to analyst@example.org" in output
        assert len(recorder.received) == 2
    added = [url for name in ("trs", "park") for url in fresh_sites.added(name)]
    second_digest = {a["url"] for a in Store(config.database).iter_articles() if a["digest_id"] == 2}
    assert added and set(added) <= second_digest


STUCK_CRAWL = """
import sys, time
from portalwatch.commands.run_once import watchdog
from portalwatch.storage import Store
store = Store(sys.argv[1])
store.start_run("run-once")
with watchdog(store, 0.5):
    time.sleep(60)
"""


def test_stuck_crawl_is_ended_and_recorded_as_killed(tmp_path: Path) -> None:
    database = testdb.database_for(tmp_path)
    done = subprocess.run([sys.executable, "-c", STUCK_CRAWL, database], cwd=REPO, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 3
    assert "crawl ran past its time limit of 0.5 s: stopping (run 1 recorded as killed)" in done.stderr
    with Store(database).engine.connect() as conn:
        status = conn.exec_driver_sql("SELECT status, finished_at IS NOT NULL FROM crawl_runs").all()
    assert status == [("killed", 1)]
