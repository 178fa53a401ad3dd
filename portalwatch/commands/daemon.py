"""`portalwatch daemon`: run crawls and digests on the configured schedule (see `scheduler.daemon`)."""

from __future__ import annotations

import argparse

from portalwatch.config import Config
from scheduler.daemon import run_daemon


def run(config: Config, args: argparse.Namespace) -> int:
    return run_daemon(config)
