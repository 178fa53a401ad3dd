"""Run one crawl of the chosen portals in this process (Twisted's reactor starts once per process)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from logging.handlers import RotatingFileHandler

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings

from crawler import settings as crawler_settings
from crawler.context import CrawlContext
from crawler.health import COUNTERS
from crawler.preflight import preflight
from crawler.spiders.portal import PortalSpider, choose_portals
from portalwatch.config import Config, ConfigError, PortalConfig
from portalwatch.lock import exclusive
from portalwatch.outcomes import Exit, PortalStatus, RunStatus, exit_code

LOG_FILE = "crawl.log"  # in the data folder: everything, tracebacks included
LOG_FILE_BYTES = 5 * 1024 * 1024


@dataclass
class PortalRow:
    """One portal's line of the crawl summary."""

    portal: str
    status: PortalStatus
    message: str | None
    counts: dict[str, int] = field(default_factory=dict)


@dataclass
class CrawlSummary:
    """What one crawl did: its run id in the store, its status and a row per portal."""

    run_id: int
    status: RunStatus
    portals: list[PortalRow]
    stop_signal: int | None = None

    @property
    def failed(self) -> list[str]:
        """Portals that failed, were blocked, lost some work or were interrupted."""
        return [row.portal for row in self.portals if row.status != PortalStatus.OK]

    @property
    def exit_code(self) -> Exit:
        return exit_code(self.status, self.stop_signal)


def scrapy_settings(config: Config) -> Settings:
    settings = Settings()
    settings.setmodule(crawler_settings, priority="project")
    settings.setdict(crawler_settings.from_config(config), priority="project")
    return settings


def run_crawl(config: Config, portals: list[str] | None = None, trigger: str = "cli") -> CrawlSummary:
    """Crawl the named portals (default: every enabled one) and record the run; call once per process.

    Raises `ConfigError` (unknown portal), `PreflightError` (seeds, selectors) before anything is fetched,
    and `StorageError` when the database fails, before or during the crawl.
    """
    chosen = crawl_portals(config, portals)
    with exclusive(config, "crawl"):  # re-entered when the command line already holds it
        context = CrawlContext.start(config, trigger, preflight(config, chosen))
        settings = scrapy_settings(config)
        settings.set("LOG_INSTALL_ROOT_HANDLER", False)  # the command line's logging stays in charge
        process = CrawlerProcess(settings)
        if not verbose():  # Scrapy's own chatter only with -v
            logging.getLogger("scrapy").setLevel(logging.WARNING)
        return crawl_with(process, context, [portal.name for portal in chosen])


def crawl_portals(config: Config, names: list[str] | None) -> list[PortalConfig]:
    """The portals a crawl covers; `ConfigError` for an unknown name or when none is enabled."""
    chosen = choose_portals(config, names)
    if not chosen:
        raise ConfigError(config.source, None, "portals", "no enabled portal to crawl")
    return chosen


def crawl_with(process: CrawlerProcess, context: CrawlContext, names: list[str]) -> CrawlSummary:
    """Run the spider for `names` in `process` (once per process) and sum up the run."""
    crawler = process.create_crawler(PortalSpider)
    with log_file(context.config):
        process.crawl(crawler, portal=names, config=context.config, context=context)
        process.start()
    spider: PortalSpider | None = crawler.spider
    if spider is not None and spider.storage_error is not None:
        raise spider.storage_error
    return summarise(context, names, spider.stop_signal if spider else None)


def summarise(context: CrawlContext, chosen: list[str], stop_signal: int | None) -> CrawlSummary:
    """Give every portal its row (a portal the crawl never reached failed), close the run and sum it up."""
    for name in chosen:
        health = context.health.get(name) or context.portal_health(name)
        if not health.saved:
            health.status = PortalStatus.INTERRUPTED if stop_signal else PortalStatus.FAILED
            health.message = health.message or "the crawl stopped before this portal ran"
            health.save()
    status = context.finish(stop_signal=stop_signal)
    rows = [PortalRow(name, h.status, h.message, {c: h.counts[c] for c in COUNTERS})
            for name, h in context.health.items()]
    return CrawlSummary(run_id=context.run_id, status=status, portals=rows, stop_signal=stop_signal)


class _LogFile(RotatingFileHandler):
    """The crawl's log file; once writing it fails (a full disk) it stays silent instead of a traceback a line."""

    def handleError(self, record: logging.LogRecord) -> None:
        self.setLevel(logging.CRITICAL + 1)


def verbose() -> bool:
    """True when the terminal shows debug records (`-v`)."""
    return any(h.level <= logging.DEBUG for h in logging.getLogger().handlers if not isinstance(h, logging.FileHandler))


@contextmanager
def log_file(config: Config) -> Iterator[None]:
    """Everything the crawl logs, tracebacks included, also goes to `crawl.log` in the data folder."""
    path = config.data_dir / LOG_FILE
    try:
        handler = _LogFile(path, maxBytes=LOG_FILE_BYTES, backupCount=3, encoding="utf-8")
    except OSError as exc:
        logging.getLogger(__name__).warning("no log file %s (%s)", path, exc.strerror or exc)
        yield
        return
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.setLevel(logging.DEBUG)
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield
    finally:
        root.removeHandler(handler)
        handler.close()
