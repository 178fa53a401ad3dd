"""The core decision for every crawled article: new, duplicate, revised or unchanged, then store it."""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from typing import Literal

from portalwatch.classify import classify
from portalwatch.config import Config
from portalwatch.dedupe import DedupeIndex
from portalwatch.dedupe.boilerplate import Boilerplate
from portalwatch.dedupe.runtime import open_index
from portalwatch.models import CrawledArticle
from portalwatch.storage import Store
from portalwatch.textnorm import content_hash, strip_unsafe

log = logging.getLogger(__name__)

Outcome = Literal["new", "duplicate", "revised", "unchanged"]


@dataclass
class Ingestor:
    """Decides what each crawled article is and stores it; one per crawl."""

    store: Store
    index: DedupeIndex
    district_hints: dict[str, str | None]
    boilerplate: Boilerplate | None = None

    def __post_init__(self) -> None:
        self.boilerplate = self.boilerplate or Boilerplate(self.store)

    @classmethod
    def open(cls, config: Config, store: Store | None = None) -> Ingestor:
        """An ingestor whose dedupe index holds the seeds and every stored article."""
        store = store or Store(config.database)
        index = open_index(config, store)
        hints = {portal.name: portal.district for portal in config.portals}
        return cls(store=store, index=index, district_hints=hints)

    def ingest(self, item: CrawledArticle) -> Outcome:
        """Store `item` as new, duplicate or a revision of the page stored under its URL."""
        item = replace(item, title=strip_unsafe(item.title, one_line=True), text=strip_unsafe(item.text))
        digest = content_hash(item.text)
        known = self.store.get_article(item.url)
        if known is not None:
            if known["content_hash"] == digest:
                self.store.touch_article(known["id"], item.etag, item.last_modified)
                return "unchanged"
            facts = classify(item.title, item.text, self.district_hints.get(item.portal), item.meta)
            self.store.record_revision(known, item, digest, facts)
            log.info("revised: %s", item.url)
            return "revised"
        learned = self.boilerplate.observe(item.portal, item.text)
        verdict = self.index.check(item.title, item.text, learned)
        facts = classify(item.title, item.text, self.district_hints.get(item.portal), item.meta)
        article_id = self.store.insert_article(item, digest, verdict, facts)
        if verdict.status == "new":
            self.index.add(item.url, item.title, item.text, article_id=article_id, learned=learned)
        return verdict.status

    def close(self) -> None:
        """Write the index of stored articles to disk."""
        self.index.save()
