"""The item pipeline: hand every crawled article to the core, which decides what it is and stores it."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from crawler.health import OUTCOMES
from portalwatch.models import CrawledArticle
from portalwatch.storage import StorageError

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

    from crawler.spiders.portal import PortalSpider

log = logging.getLogger(__name__)


class IngestPipeline:
    """`Ingestor.ingest` per article; the outcome (new, duplicate, revised, unchanged) counts per portal."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> IngestPipeline:
        return cls(crawler)

    def process_item(self, item: CrawledArticle) -> CrawledArticle:
        spider: PortalSpider = self.crawler.spider  # type: ignore[assignment]
        state = spider.states[item.portal]
        if spider.storage_error is not None:
            return item  # the crawl is stopping; the link stays pending
        try:
            outcome = spider.context.ingestor.ingest(item)
        except StorageError as exc:
            spider.stop_for_storage(exc)
            return item
        except Exception as exc:  # one article the core cannot take must not stop the portal
            log.debug("ingest failed for %s", item.url, exc_info=True)
            spider.link_failed(state, item.url, "ingest", f"{type(exc).__name__}: {exc}")
            return item
        if outcome in OUTCOMES:
            state.health.count(outcome)
        return item
