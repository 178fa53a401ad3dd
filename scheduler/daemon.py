"""`portalwatch daemon`: crawl and mail digests on the configured schedule until SIGTERM or SIGINT."""

from __future__ import annotations

import logging
import os
import signal
import sys
import threading
from collections.abc import Callable
from datetime import datetime

from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED, EVENT_JOB_MISSED, JobExecutionEvent
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import STATE_RUNNING

from portalwatch.config import Config, ConfigError
from portalwatch.lock import LockBusy, exclusive
from portalwatch.outcomes import Exit, RunStatus, exit_code
from scheduler.child import stop_children
from scheduler.jobs import JOB_FUNCTIONS
from scheduler.jobstore import job_store_path, job_store_url
from scheduler.recovery import record_killed_runs
from scheduler.triggers import SUBSCRIPTION_JOB, schedules

log = logging.getLogger(__name__)

DAEMON_LOCK = "daemon.lock"
MISFIRE_GRACE = 3600  # a job missed by less than this (the machine slept) still runs, once
STOP_GRACE = 10.0  # seconds children get to finish after SIGTERM or SIGINT


def run_daemon(config: Config) -> int:
    """Run the schedule until a signal; the exit code (`portalwatch.outcomes.Exit`): 0 after a stop that
    interrupted nothing, 130/143 when the stop interrupted a running job, 75 when another daemon already runs."""
    if not config.source.exists():
        raise ConfigError(config.source, None, "", "the daemon needs a config file (children re-read it)")
    stop = StopSignal()  # before the lock and the schedule: a stop while starting up ends the daemon cleanly
    try:
        with exclusive(config, "daemon", wait=0, name=DAEMON_LOCK):
            return _serve(config, stop)
    except LockBusy as exc:
        print(f"portalwatch: {exc.who} is already running the schedule; exiting", file=sys.stderr)
        return Exit.BUSY


def build_scheduler(config: Config) -> BackgroundScheduler:
    job_store_path(config).parent.mkdir(parents=True, exist_ok=True)
    return BackgroundScheduler(
        jobstores={"default": SQLAlchemyJobStore(url=job_store_url(config))},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": MISFIRE_GRACE},
        timezone=config.timezone,
    )


def sync_jobs(scheduler: BackgroundScheduler, config: Config) -> None:
    """Keep stored jobs whose schedule is unchanged (and so their next run time); replace the others."""
    config_path = str(config.source)
    wanted = schedules(config)
    for schedule in wanted:
        job = scheduler.get_job(schedule.job)
        args = [config_path, *schedule.args]
        if job is not None and job.name == schedule.spec and list(job.args) == args:
            log.info("kept %s from the job store", schedule.spec)
            continue
        scheduler.add_job(
            JOB_FUNCTIONS[schedule.function or schedule.job], schedule.trigger, id=schedule.job,
            name=schedule.spec, args=args, replace_existing=True,
        )
        log.info("scheduled %s", schedule.spec)
    ids = {schedule.job for schedule in wanted}
    for job in scheduler.get_jobs():
        if job.id.startswith(SUBSCRIPTION_JOB) and job.id not in ids:
            scheduler.remove_job(job.id)
            log.info("removed %s: the subscription has no schedule of its own any more", job.name)


class StopSignal:
    """SIGTERM and SIGINT, once installed: the daemon finishes its current step, then stops."""

    def __init__(self) -> None:
        self.event = threading.Event()
        self.first: int | None = None  # the signal that asked for the stop (it decides the exit code)
        signal.signal(signal.SIGTERM, self._on_signal)
        signal.signal(signal.SIGINT, self._on_signal)

    def _on_signal(self, signum: int, _frame: object) -> None:
        log.info("received %s: finishing the current step, then stopping", signal.Signals(signum).name)
        if self.first is None:
            self.first = signum
        self.event.set()


def _serve(config: Config, stop: StopSignal) -> int:
    record_killed_runs(config, "daemon: checking for interrupted runs", wait=0, status=RunStatus.INTERRUPTED)
    if stop.event.is_set():
        log.info("daemon stopped before it started its schedule")
        return Exit.OK
    scheduler = build_scheduler(config)
    scheduler.add_listener(_logger_for(scheduler), EVENT_JOB_EXECUTED | EVENT_JOB_ERROR | EVENT_JOB_MISSED)
    scheduler.start(paused=True)
    sync_jobs(scheduler, config)
    scheduler.resume()
    log.info("daemon started (pid %d); jobs kept in %s", os.getpid(), job_store_path(config))
    for job in scheduler.get_jobs():
        log.info("next %s at %s", job.id, _when(job.next_run_time))
    while not stop.event.wait(1.0):
        pass
    scheduler.pause()
    stopped = stop_children(STOP_GRACE)
    scheduler.shutdown(wait=True)
    log.info("daemon stopped%s", f" (killed: {', '.join(stopped.killed)})" if stopped.killed else "")
    if not stopped.interrupted:
        return Exit.OK
    code = exit_code(RunStatus.INTERRUPTED, stop.first)
    log.warning("the stop interrupted %s; the next run fetches what is left (exit %d)",
                ", ".join(stopped.interrupted), code)
    return code


def _logger_for(scheduler: BackgroundScheduler) -> Callable[[JobExecutionEvent], None]:
    """A listener that logs how each job ended and when it runs next."""
    def log_event(event: JobExecutionEvent) -> None:
        # Once the daemon is stopping, shutdown() holds the job-store lock while it waits for this very
        # thread: looking the job up then would deadlock, and there is no next run to tell anyway.
        job = scheduler.get_job(event.job_id) if scheduler.state == STATE_RUNNING else None
        upcoming = _when(job.next_run_time if job else None)
        if event.code == EVENT_JOB_MISSED:
            log.warning("%s missed its run at %s by more than %d min; next at %s",
                        event.job_id, _when(event.scheduled_run_time), MISFIRE_GRACE // 60, upcoming)
        elif event.code == EVENT_JOB_ERROR:
            log.error("%s job failed: %r; next at %s", event.job_id, event.exception, upcoming)
        else:
            log.info("%s job (due %s) done; next at %s", event.job_id, _when(event.scheduled_run_time), upcoming)

    return log_event


def _when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S %Z") if moment else "never (paused or stopping)"
