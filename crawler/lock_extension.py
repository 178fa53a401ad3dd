"""Scrapy extension: a crawl started with `scrapy crawl portal` takes the portalwatch lock too.

A `portalwatch crawl` (or run-once, or a daemon child) already holds the lock in this process, and the lock is
reentrant within a process, so that path takes it again without waiting: the two cannot deadlock.
"""

from __future__ import annotations

import contextlib
import logging

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from portalwatch.config import Config
from portalwatch.lock import LockBusy, exclusive

log = logging.getLogger(__name__)

BUSY_REASON = "portalwatch-busy"


class PortalwatchLock:
    """Hold the portalwatch lock from the crawler's start until its engine stops."""

    def __init__(self, crawler: Crawler, config: Config) -> None:
        self.crawler = crawler
        self.held = contextlib.ExitStack()
        self.busy: LockBusy | None = None
        try:
            self.held.enter_context(exclusive(config, "scrapy crawl"))
        except LockBusy as exc:
            self.busy = exc
        crawler.signals.connect(self.engine_started, signal=signals.engine_started)
        crawler.signals.connect(self.engine_stopped, signal=signals.engine_stopped)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> PortalwatchLock:
        config = getattr(crawler.spider, "config", None)
        if not isinstance(config, Config):
            raise NotConfigured("the spider has no portalwatch config")
        return cls(crawler, config)

    async def engine_started(self) -> None:
        if self.busy is not None:
            log.error("%s", self.busy)
            await self.crawler.engine.close_spider_async(reason=BUSY_REASON)

    def engine_stopped(self) -> None:
        self.held.close()
