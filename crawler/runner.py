"""Run one crawl of the chosen portals in this process (Twisted's reactor starts once per process)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings

from crawler import settings as crawler_settings
from crawler.context import CrawlContext
from crawler.health import COUNTERS
from crawler.spiders.portal import PortalSpider, choose_portals
from portalwatch.config import Config, ConfigError
from portalwatch.lock import exclusive


@dataclass
class PortalRow:
    """One portal's line of the crawl summary."""

    portal: str
    status: str  # ok | failed | blocked
    message: str | None
    counts: dict[str, int] = field(default_factory=dict)


@dataclass
class CrawlSummary:
    """What one crawl did: its run id in the store, its status and a row per portal."""

    run_id: int
    status: str  # ok | partial | failed
    portals: list[PortalRow]

    @property
    def failed(self) -> list[str]:
        """Portals that failed or were blocked."""
        return [row.portal for row in self.portals if row.status != "ok"]


def scrapy_settings(config: Config) -> Settings:
    settings = Settings()
    settings.setmodule(crawler_settings, priority="project")
    settings.setdict(crawler_settings.from_config(config), priority="project")
    return settings


def run_crawl(config: Config, portals: list[str] | None = None, trigger: str = "cli") -> CrawlSummary:
    """Crawl the named portals (default: every enabled one) and record the run; call once per process."""
    chosen = [portal.name for portal in choose_portals(config, portals)]
    if not chosen:
        raise ConfigError(config.source, None, "portals", "no enabled portal to crawl")
    with exclusive(config, "crawl"):  # re-entered when the command line already holds it
        return _crawl(config, chosen, trigger)


def _crawl(config: Config, chosen: list[str], trigger: str) -> CrawlSummary:
    context = CrawlContext.start(config, trigger)
    settings = scrapy_settings(config)
    settings.set("LOG_INSTALL_ROOT_HANDLER", False)  # the command line's logging stays in charge
    settings.set("LOG_VERSIONS", [])
    process = CrawlerProcess(settings)
    if logging.getLogger().getEffectiveLevel() > logging.DEBUG:  # Scrapy's own chatter only with -v
        logging.getLogger("scrapy").setLevel(logging.WARNING)
    process.crawl(PortalSpider, portal=chosen, config=config, context=context)
    process.start()
    for name in chosen:  # a spider that never ran still gets its row
        health = context.health.get(name) or context.portal_health(name)
        if not health.saved:
            health.status, health.message = "failed", health.message or "the crawl stopped before this portal ran"
            health.save()
    status = context.finish()
    rows = [PortalRow(name, h.status, h.message, {c: h.counts[c] for c in COUNTERS})
            for name, h in context.health.items()]
    return CrawlSummary(run_id=context.run_id, status=status, portals=rows)
