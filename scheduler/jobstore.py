"""Where the daemon keeps its jobs (next run times survive a restart), and reading them back for `status`."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.exc import SQLAlchemyError

from portalwatch.config import Config

JOBS_FILE = "jobs.sqlite"
JOBS_TABLE = "apscheduler_jobs"


def job_store_path(config: Config) -> Path:
    return config.data_dir / JOBS_FILE


def job_store_url(config: Config) -> str:
    return f"sqlite:///{job_store_path(config)}"


def stored_next_runs(config: Config) -> dict[str, datetime | None]:
    """Next run time of each job in the daemon's store (None: paused); {} when there is no store yet."""
    path = job_store_path(config)
    if not path.exists():
        return {}
    engine = create_engine(job_store_url(config))
    try:
        with engine.connect() as conn:
            rows = conn.execute(text(f"SELECT id, next_run_time FROM {JOBS_TABLE}")).all()
    except SQLAlchemyError:
        return {}
    finally:
        engine.dispose()
    return {job: datetime.fromtimestamp(ts, UTC) if ts is not None else None for job, ts in rows}
