"""When each job runs: the cron expressions of `schedule` (or the per-second test overrides) in the config's zone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from portalwatch.config import Config

JOBS = ("crawl", "digest")


@dataclass(frozen=True)
class Schedule:
    """One job's trigger and a readable description of it (stored as the job's name, to spot config changes)."""

    job: str
    trigger: BaseTrigger
    spec: str
    function: str = ""  # the job function's key in JOB_FUNCTIONS; `job` itself when empty
    args: tuple[str, ...] = ()  # arguments after the config path (a subscription's name)


def schedule_for(config: Config, job: str) -> Schedule:
    """The schedule of `job` ("crawl" or "digest"): an interval when `<job>_interval_seconds` is set, else cron."""
    settings = config.schedule
    interval = getattr(settings, f"{job}_interval_seconds")
    if interval:
        trigger = IntervalTrigger(seconds=interval, timezone=config.timezone)
        return Schedule(job, trigger, f"{job}: every {interval:g} s")
    cron = getattr(settings, job)
    return Schedule(job, CronTrigger.from_crontab(cron, timezone=config.timezone), f"{job}: '{cron}' {config.timezone}")


SUBSCRIPTION_JOB = "digest:"  # job id prefix of a subscription with a schedule of its own


def schedules(config: Config) -> list[Schedule]:
    """The crawl and digest jobs, and one digest job per subscription that has its own schedule."""
    own = [
        Schedule(f"{SUBSCRIPTION_JOB}{sub.name}", CronTrigger.from_crontab(sub.schedule, timezone=config.timezone),
                 f"digest of {sub.name}: '{sub.schedule}' {config.timezone}", function="digest", args=(sub.name,))
        for sub in config.all_subscriptions() if sub.schedule
    ]
    return [schedule_for(config, job) for job in JOBS] + own


def next_fire(schedule: Schedule, now: datetime) -> datetime | None:
    """When `schedule` fires next after `now`, computed from the config alone."""
    return schedule.trigger.get_next_fire_time(None, now)
