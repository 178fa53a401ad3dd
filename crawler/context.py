"""What the portals of one crawl share: the config, the store, the run and one ingestor."""

from __future__ import annotations

from dataclasses import dataclass, field

from crawler.health import PortalHealth
from portalwatch.config import Config
from portalwatch.ingest import Ingestor
from portalwatch.storage import Store


@dataclass
class CrawlContext:
    """One crawl run: opened before the first portal starts, finished after the last one closes."""

    config: Config
    store: Store
    run_id: int
    health: dict[str, PortalHealth] = field(default_factory=dict)
    _ingestor: Ingestor | None = None

    @classmethod
    def start(cls, config: Config, trigger: str) -> CrawlContext:
        store = Store(config.database)
        return cls(config=config, store=store, run_id=store.start_run(trigger))

    @property
    def ingestor(self) -> Ingestor:
        """Opened on first use: loading the dedupe index is not free."""
        if self._ingestor is None:
            self._ingestor = Ingestor.open(self.config, self.store)
        return self._ingestor

    def portal_health(self, portal: str) -> PortalHealth:
        self.health[portal] = PortalHealth(portal=portal, store=self.store, run_id=self.run_id)
        return self.health[portal]

    def finish(self) -> str:
        """Save the dedupe index, close the run and return its status (ok | partial | failed)."""
        if self._ingestor is not None:
            self._ingestor.close()
        statuses = [h.status for h in self.health.values()]
        if all(s == "ok" for s in statuses):
            status = "ok"
        elif any(s == "ok" for s in statuses):
            status = "partial"
        else:
            status = "failed"
        self.store.finish_run(self.run_id, status)
        return status
