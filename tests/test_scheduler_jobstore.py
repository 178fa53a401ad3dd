"""The daemon's job store: a restart keeps next run times, a changed schedule replaces them, and a machine
that slept runs a missed job once (coalesced), or not at all when it is later than the misfire grace."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import testdb
from apscheduler.triggers.cron import CronTrigger

from portalwatch.config import Config, load_config
from scheduler.daemon import MISFIRE_GRACE, build_scheduler, sync_jobs
from scheduler.jobstore import job_store_path, stored_next_runs


def count_run(path: str) -> None:
    """A job that notes each run in a file (job functions must be importable by reference)."""
    with open(path, "a") as handle:
        handle.write(f"{time.time()}\n")


def make_config(tmp_path: Path, schedule: str) -> Config:
    path = tmp_path / "config.yaml"
    path.write_text(f"database: {testdb.database_for(tmp_path)}\ntimezone: Asia/Shanghai\nschedule:\n{schedule}",
                    encoding="utf-8")
    return load_config(path)


def next_runs_after_start(config: Config) -> dict[str, datetime]:
    """Start a scheduler as the daemon does (paused, so nothing runs), sync, and read its next run times."""
    scheduler = build_scheduler(config)
    scheduler.start(paused=True)
    try:
        sync_jobs(scheduler, config)
        return {job.id: job.next_run_time for job in scheduler.get_jobs()}
    finally:
        scheduler.shutdown(wait=False)


def test_restart_keeps_next_run_times_and_a_new_schedule_replaces_them(tmp_path: Path) -> None:
    config = make_config(tmp_path, "  crawl_interval_seconds: 3600\n  digest: '0 8 * * mon'\n")
    first = next_runs_after_start(config)
    assert job_store_path(config).exists()
    time.sleep(1.1)  # a fresh interval trigger would now start a second later
    assert next_runs_after_start(config) == first
    assert stored_next_runs(config) == {job: moment.astimezone(UTC) for job, moment in first.items()}
    monday = first["digest"]
    assert (monday.weekday(), monday.hour, monday.minute, str(monday.tzinfo)) == (0, 8, 0, "Asia/Shanghai")

    changed = make_config(tmp_path, "  crawl_interval_seconds: 3600\n  digest: '30 9 * * tue'\n")
    replaced = next_runs_after_start(changed)
    assert replaced["crawl"] == first["crawl"]
    assert (replaced["digest"].weekday(), replaced["digest"].hour, replaced["digest"].minute) == (1, 9, 30)


def _runs_after_sleeping(tmp_path: Path, late: timedelta) -> int:
    """Runs, within 2 s of waking, of a daily job last run 3 days ago whose latest due time passed `late` ago."""
    runs = tmp_path / "runs.txt"
    runs.write_text("")
    config = make_config(tmp_path, "  crawl: '0 6 * * *'\n")
    scheduler = build_scheduler(config)
    due = datetime.now(UTC) - late
    daily = CronTrigger(hour=due.hour, minute=due.minute, second=due.second, timezone="UTC")
    scheduler.add_job(count_run, daily, args=[str(runs)], id="sleeper", next_run_time=due - timedelta(days=3))
    scheduler.start()
    time.sleep(2.0)
    scheduler.shutdown(wait=True)
    return len(runs.read_text().split())


def test_machine_that_slept_three_days_runs_the_missed_job_once(tmp_path: Path) -> None:
    assert _runs_after_sleeping(tmp_path, timedelta(minutes=30)) == 1


def test_job_missed_by_more_than_the_grace_is_skipped(tmp_path: Path) -> None:
    assert _runs_after_sleeping(tmp_path, timedelta(seconds=MISFIRE_GRACE + 600)) == 0
