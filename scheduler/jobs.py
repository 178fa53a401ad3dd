"""The daemon's jobs. Module-level functions taking only the config path: the job store pickles references."""

from __future__ import annotations

import logging

from portalwatch.config import Config, ConfigError, load_config
from portalwatch.outcomes import Exit, RunStatus
from portalwatch.storage import Store
from scheduler.child import ChildResult, portalwatch_argv, run_child
from scheduler.recovery import record_killed_runs

log = logging.getLogger(__name__)

DIGEST_TIME_LIMIT = 15 * 60.0  # building and mailing a digest takes seconds; this only catches a hang
KILL_GRACE = 60.0  # the crawl stops itself at its time limit; the daemon kills it this much later
RECOVERY_WAIT = 5.0


def crawl_job(config_path: str) -> None:
    """Crawl every enabled portal in a child process, killed at `crawl.time_limit_minutes`."""
    config = _load(config_path, "crawl")
    if config is None:
        return
    limit = config.crawl.time_limit_minutes * 60 + KILL_GRACE + config.schedule.lock_wait_seconds
    argv = portalwatch_argv(config_path, "crawl", "--trigger", "daemon")
    result = run_child("crawl", argv, limit, interruptible=True)
    _report(result)
    if result.returncode is not None and result.returncode < 0:  # died of a signal before recording its end
        # stopped by the daemon's shutdown (interrupted), or killed at its time limit
        word, status = ("stopped", RunStatus.INTERRUPTED) if result.stopped else ("killed", RunStatus.KILLED)
        record_killed_runs(config, f"daemon: recording a {word} crawl", wait=RECOVERY_WAIT, status=status)
    resend_stored_mail(config, config_path)


def resend_stored_mail(config: Config, config_path: str) -> None:
    """Mail stored for a reader who does not have it yet goes out again after every crawl, not only weekly."""
    if not Store(config.database).undelivered_messages():
        return
    limit = DIGEST_TIME_LIMIT + config.schedule.lock_wait_seconds
    _report(run_child("outbox", portalwatch_argv(config_path, "outbox", "--send"), limit, interruptible=False))


def digest_job(config_path: str, subscription: str | None = None) -> None:
    """Build and mail the digest in a child process; a shutdown lets it finish sending.

    With `subscription`, that subscription's digest (it has a schedule of its own); without, the digests of
    every subscription that follows `schedule.digest`.
    """
    config = _load(config_path, "digest")
    if config is None:
        return
    limit = DIGEST_TIME_LIMIT + config.schedule.lock_wait_seconds
    which = ("--subscription", subscription) if subscription else ("--default-schedule",)
    _report(run_child("digest", portalwatch_argv(config_path, "digest", *which), limit, interruptible=False))


JOB_FUNCTIONS = {"crawl": crawl_job, "digest": digest_job}


def _load(config_path: str, job: str) -> Config | None:
    try:
        return load_config(config_path)
    except ConfigError as exc:
        log.error("%s not run: config error: %s", job, exc)
        return None


def _report(result: ChildResult) -> None:
    """Log how a child ended, in words."""
    took = f"after {result.seconds:.1f} s"
    code = result.returncode
    if result.skipped:
        log.info("%s not started: the daemon is stopping", result.command)
    elif result.timed_out:
        log.error("%s killed at its time limit %s; the run is recorded as killed", result.command, took)
    elif result.stopped:
        log.warning("%s stopped by the daemon's shutdown %s (exit %s)", result.command, took, code)
    elif code == 0:
        log.info("%s finished %s", result.command, took)
    elif code == Exit.BUSY:
        log.warning("%s skipped: another portalwatch held the lock too long", result.command)
    elif code is not None and code < 0:
        log.error("%s died from signal %d %s; the run is recorded as killed", result.command, -code, took)
    else:
        log.error("%s failed %s (exit %s); see its log above and `portalwatch status`", result.command, took, code)
