"""The offline demo: sample portals on 127.0.0.1, two weeks of crawls, dedupe against the seeds, digests.

Week one crawls the sample portals and mails its digest to a mail sink on 127.0.0.1 (the messages are kept
as .eml files); then some articles are added and revised, and week two's digest shows them with their diffs.
"""

from __future__ import annotations

import logging
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

import yaml
from aiosmtpd.controller import Controller

from portalwatch.config import Config, load_config
from portalwatch.fixture_sites import FixtureSites
from portalwatch.seeds import SAMPLE_SEEDS
from portalwatch.storage import Store
from reports.digest import DigestOutcome, run_digest

DEMO_SITES = ("trs", "hanweb", "oldqd", "news", "park", "generic", "blocked")
DEMO_DATABASE = "sqlite:///data/portalwatch.db"  # in the demo's folder, emptied at each run


@dataclass
class DemoResult:
    weeks: list[DigestOutcome]
    digest_file: Path
    config: Config
    mails: list[Path]
    seconds: float


class MailSink:
    """An SMTP server on 127.0.0.1 that keeps every message it accepts as an .eml file."""

    def __init__(self, folder: Path) -> None:
        logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every SMTP line at INFO
        self.folder = folder
        self.saved: list[Path] = []
        self._controller = Controller(self, hostname="127.0.0.1", port=_free_port())

    async def handle_DATA(self, server, session, envelope) -> str:
        path = self.folder / f"digest-{len(self.saved) + 1}.eml"
        path.write_bytes(envelope.original_content)
        self.saved.append(path)
        return "250 Message accepted for delivery"

    @property
    def port(self) -> int:
        return self._controller.port

    def __enter__(self) -> MailSink:
        self.folder.mkdir(parents=True, exist_ok=True)
        self._controller.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self._controller.stop()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def demo_config(folder: Path, sites: FixtureSites, seeds_dir: Path, smtp_port: int,
                database: str | None = None) -> Path:
    """Write the demo's config.yaml: the sample portals, a database, reports and the mail sink."""
    portals = [p for p in sites.portals() if p["name"] in DEMO_SITES]
    config = {
        "database": database or DEMO_DATABASE,
        "seeds_dir": str(seeds_dir),
        "crawl": {"download_delay": 0, "concurrency": 8, "timeout": 10, "max_pages": 10},
        "email": {"smtp_host": "127.0.0.1", "smtp_port": smtp_port, "from": "portalwatch demo <demo@localhost>",
                  "to": ["analyst@example.com"]},
        "digest": {"reports_dir": "reports", "send_empty": True},
        "portals": portals,
    }
    path = folder / "config.yaml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def crawl(config_path: Path) -> None:
    """One crawl in a child process (Scrapy's reactor runs once per process); it prints its own summary."""
    command = [sys.executable, "-m", "portalwatch", "-c", str(config_path), "crawl"]
    subprocess.run(command, check=False)


def run_demo(folder: Path, seeds_dir: Path | None = None, database: str | None = None) -> DemoResult:
    """Two weeks: crawl and mail a digest, let some pages change, crawl and mail again, keep the file.

    `database` (a URL) is used as it is, never emptied: the demo's own SQLite file otherwise.
    """
    started = time.monotonic()
    folder = folder.resolve()
    for stale in ("data", "reports", "mail"):
        shutil.rmtree(folder / stale, ignore_errors=True)
    folder.mkdir(parents=True, exist_ok=True)
    seeds = seeds_dir if seeds_dir and seeds_dir.is_dir() else SAMPLE_SEEDS
    digest_file = folder / "digest.html"
    with FixtureSites() as sites, MailSink(folder / "mail") as sink:
        config_path = demo_config(folder, sites, seeds, sink.port, database)
        config = load_config(config_path)
        crawl(config_path)
        weeks = [run_digest(config)]
        sites.set_version(2)
        crawl(config_path)
        weeks.append(run_digest(config, out=digest_file))
    return DemoResult(weeks, digest_file, config, sink.saved, time.monotonic() - started)


def summary(result: DemoResult) -> str:
    """What the demo did, in a few lines."""
    store = Store(result.config.database)
    counts = {status: store.count_articles(status=status) for status in ("new", "duplicate", "revised")}
    kinds = {kind: store.count_articles(kind=kind, status="new") for kind in ("project", "policy", "other")}
    first, second = result.weeks
    return "\n".join([
        f"crawled {len(result.config.portals)} sample portals twice in {result.seconds:.1f} s "
        f"(the second time after some articles were added and revised)",
        f"stored {sum(counts.values())} articles: {counts['new']} new, {counts['duplicate']} duplicates "
        f"of the seeds or of each other, {counts['revised']} revised",
        f"new articles: {kinds['project']} projects, {kinds['policy']} policies, {kinds['other']} other",
        f"week 1 digest: {first.status}, {_counted(first)}; report {first.path}",
        f"week 2 digest: {second.status}, {_counted(second)}; report {second.path}",
        f"mails as received by the loopback mail server: {', '.join(str(p) for p in result.mails) or 'none'}",
        f"archive of every digest: {result.config.digest.reports_dir / 'index.html'}",
        f"digest written to {result.digest_file}",
    ])


def _counted(outcome: DigestOutcome) -> str:
    """'3 projects, 2 policies, ...' from a digest's counts."""
    return ", ".join(f"{value} {name}" for name, value in outcome.counts.items() if value) or "nothing new"
