"""`portalwatch [-c CONFIG] COMMAND`: the command line."""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from portalwatch.config import DEFAULT_CONFIG, Config, ConfigError, config_from_environment
from portalwatch.lock import LockBusy, for_command, report_busy
from portalwatch.migrate import SchemaTooNew
from portalwatch.outcomes import Exit, PreflightError
from portalwatch.storage import StorageError


def _add_crawl(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("crawl", help="fetch new and changed articles from the configured portals")
    p.add_argument("--portal", action="append", metavar="NAME", help="only this portal (repeatable)")
    p.add_argument("--trigger", default="cli", help=argparse.SUPPRESS)  # how the run is recorded: cli, daemon


def _add_digest(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("digest", help="build the digest of what is new since the last one and mail it")
    p.add_argument("--dry-run", action="store_true", help="render only: send nothing, mark nothing as sent")
    p.add_argument("--out", type=Path, metavar="FILE", help="also write the HTML to FILE")
    p.add_argument("--since", metavar="DATE", help="articles first seen since DATE (YYYY-MM-DD) instead")
    p.add_argument("--subscription", metavar="NAME", help="only this subscription's digest (default: every one)")
    # the daemon's weekly job: the subscriptions without a schedule of their own
    p.add_argument("--default-schedule", action="store_true", help=argparse.SUPPRESS)


def _add_run_once(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("run-once", help="crawl, then send the digest if one is due (for cron)")
    p.add_argument("--force-digest", action="store_true", help="send the digest even if one is not due")


def _add_check(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("check", help="tell which texts are already known (JSON lines in and out)")
    p.add_argument("file", nargs="?", default="-", help="JSON lines {id, title, text}; '-' for stdin")


def _add_export(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("export", help="write every stored article as JSON lines or CSV")
    p.add_argument("--format", choices=("jsonl", "csv"), default="jsonl")
    p.add_argument("--out", type=Path, metavar="FILE", help="write to FILE instead of standard output")


def _add_demo(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("demo", help="crawl bundled sample portals on 127.0.0.1 and write a digest (offline)")
    p.add_argument("--dir", type=Path, default=Path("portalwatch-demo"), help="where the demo keeps its files")
    p.add_argument("--database", metavar="URL",
                   help="use this database (PostgreSQL, say) as it is instead of a fresh SQLite file in --dir")


def _add_db(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("db", help="upgrade the database schema to this version of portalwatch, or show it")
    p.add_argument("action", choices=("upgrade", "current"), help="upgrade: migrate now; current: show the revision")


def _add_probe(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("probe", help="show what the crawler finds on a page; stores nothing")
    p.add_argument("url", nargs="?", help="a list page or an article")
    p.add_argument("--portal", metavar="NAME", help="probe this configured portal (its first start URL)")
    p.add_argument("--articles", type=int, default=3, metavar="N", help="articles to read (default 3)")


def _add_outbox(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("outbox", help="stored messages and the delivery state of each recipient")
    p.add_argument("--limit", type=int, default=10, metavar="N",
                   help="delivered messages to show besides those still waiting (default 10)")
    p.add_argument("--send", action="store_true",
                   help="first send again every stored message some recipient does not have (nothing new is built)")
    p.add_argument("--drop", type=int, nargs="+", metavar="ID",
                   help="give up on stored messages ID ... (never sent again; their items wait for the next digest)")


def _add_test_email(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("test-email", help="send a one-line test mail through the configured SMTP server")
    p.add_argument("--to", action="append", metavar="ADDRESS", help="instead of email.to (repeatable)")


COMMANDS = {
    "crawl": _add_crawl,
    "digest": _add_digest,
    "run-once": _add_run_once,
    "daemon": lambda sub: sub.add_parser("daemon", help="run crawls and digests on the configured schedule"),
    "status": lambda sub: sub.add_parser("status", help="last runs per portal, next runs, pending articles"),
    "check": _add_check,
    "export": _add_export,
    "seeds": lambda sub: sub.add_parser("seeds", help="list the articles of the seed corpus"),
    "reclassify": lambda sub: sub.add_parser("reclassify", help="classify every stored article again"),
    "demo": _add_demo,
    "probe": _add_probe,
    "outbox": _add_outbox,
    "test-email": _add_test_email,
    "db": _add_db,
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="portalwatch",
        description="Watch government and investment-promotion portals and mail a digest of what is new.",
    )
    parser.add_argument(
        "-c", "--config", type=Path, default=None,
        help=f"config file (default: $PORTALWATCH_CONFIG or ./{DEFAULT_CONFIG})",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log more detail")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for add in COMMANDS.values():
        add(sub)
    return parser


def resolve_config(path: Path | None) -> Config:
    """The config named on the command line, else $PORTALWATCH_CONFIG, else ./config.yaml or defaults."""
    return config_from_environment(path)


class OneLineFormatter(logging.Formatter):
    """Log records without their tracebacks (those go to the log file, or to the terminal with -v)."""

    def format(self, record: logging.LogRecord) -> str:
        saved = record.exc_info, record.exc_text, record.stack_info
        record.exc_info = record.exc_text = record.stack_info = None
        try:
            return super().format(record)
        finally:
            record.exc_info, record.exc_text, record.stack_info = saved


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    log_format = "%(asctime)s %(levelname)s %(name)s: %(message)s"
    logging.basicConfig(level=logging.DEBUG, format=log_format)  # handlers decide what they show
    logging.getLogger("filelock").setLevel(logging.INFO)
    if not args.verbose:
        for handler in logging.getLogger().handlers:
            handler.setLevel(logging.INFO)
            handler.setFormatter(OneLineFormatter(log_format))
    try:
        config = resolve_config(args.config)
    except ConfigError as exc:
        print(f"portalwatch: config error: {exc}", file=sys.stderr)
        return Exit.CONFIG
    module = importlib.import_module(f"portalwatch.commands.{args.command.replace('-', '_')}")
    try:
        with for_command(config, args.command):
            return module.run(config, args)
    except LockBusy as exc:
        return report_busy(exc)
    except ConfigError as exc:
        print(f"portalwatch: config error: {exc}", file=sys.stderr)
        return Exit.CONFIG
    except PreflightError as exc:
        print(f"portalwatch: {args.command}: {exc}", file=sys.stderr)
        return Exit.CONFIG
    except StorageError as exc:
        print(f"portalwatch: {args.command}: {exc}", file=sys.stderr)
        return Exit.STORAGE
    except SchemaTooNew as exc:
        print(f"portalwatch: {exc}", file=sys.stderr)
        return Exit.SCHEMA_TOO_NEW
    except KeyboardInterrupt:
        return Exit.SIGINT
