"""What the portals of one crawl share: the config, the store, the run and one ingestor."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from crawler.health import PortalHealth
from portalwatch.config import Config
from portalwatch.ingest import Ingestor
from portalwatch.outcomes import RunStatus, run_status
from portalwatch.storage import StorageError, Store

log = logging.getLogger(__name__)


@dataclass
class CrawlContext:
    """One crawl run: opened before the first portal starts, finished after the last one closes."""

    config: Config
    store: Store
    run_id: int
    health: dict[str, PortalHealth] = field(default_factory=dict)
    _ingestor: Ingestor | None = None

    @classmethod
    def start(cls, config: Config, trigger: str, store: Store | None = None) -> CrawlContext:
        """Record a new run; runs left `running` by a process that died are `interrupted` (the lock is ours)."""
        store = store or Store(config.database)
        for run_id in store.close_orphan_runs(RunStatus.INTERRUPTED):
            log.warning("crawl run %d was interrupted (its process is gone): marked interrupted", run_id)
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

    def finish(self, storage_error: StorageError | None = None, stop_signal: int | None = None) -> RunStatus:
        """Save the dedupe index and close the run with its status; a store that failed leaves it `running`.

        A run left `running` becomes `interrupted` at the next crawl, once the store works again.
        """
        if storage_error is not None:
            return RunStatus.RUNNING
        if self._ingestor is not None:
            try:
                self._ingestor.close()
            except OSError as exc:  # the index is a cache: it is rebuilt from the store next time
                log.warning("dedupe index not saved (%s); it is caught up from the store next time", exc)
        status = run_status([h.status for h in self.health.values()], interrupted=stop_signal is not None)
        self.store.finish_run(self.run_id, status)
        return status
