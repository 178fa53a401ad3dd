"""`portalwatch db upgrade|current`: bring the database schema to this program's revision, or show it."""

from __future__ import annotations

import argparse

from portalwatch import migrate
from portalwatch.config import Config
from portalwatch.storage import prepared_engine, upgrade_schema


def run(config: Config, args: argparse.Namespace) -> int:
    engine = prepared_engine(config.database)
    try:
        if args.action == "current":
            with engine.connect() as connection:
                found = migrate.current(connection)
            print(f"database {migrate.describe(engine)}: schema {found or 'none yet'} "
                  f"(this portalwatch: {migrate.head()})")
            return 0
        done = upgrade_schema(engine)
    finally:
        engine.dispose()
    if done.changed:
        print(f"database {migrate.describe(engine)}: upgraded from {done.before or 'empty'} to {done.after}")
    else:
        print(f"database {migrate.describe(engine)}: already at {done.after}")
    return 0
