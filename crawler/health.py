"""Per-portal health of one crawl: counters, errors (written to the store at once) and the final status."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from portalwatch.outcomes import PortalStatus
from portalwatch.storage import Store

log = logging.getLogger(__name__)

COUNTERS = ("list_pages", "articles_fetched", "not_modified", "new", "duplicate", "revised", "unchanged", "errors")
OUTCOMES = ("new", "duplicate", "revised", "unchanged")
# Reasons that are recorded for the reader but are the portal's wish, not a fault of the crawl.
NOT_FAULTS = frozenset({"robots"})
INTERRUPTED_REASONS = frozenset({"shutdown"})  # Scrapy's close reason after SIGINT / SIGTERM


@dataclass
class PortalHealth:
    """What happened to one portal during one run."""

    portal: str
    store: Store
    run_id: int
    status: PortalStatus = PortalStatus.OK
    message: str | None = None
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COUNTERS, 0))
    start_pages_ok: int = 0
    start_errors: list[str] = field(default_factory=list)
    saved: bool = False
    plain_requests: int = 0  # answers Scrapy fetched itself
    browser_requests: int = 0  # requests the headless browser sent to the portal
    scripted_lists: bool = False  # its list pages gave links only rendered in the browser (found by `render: auto`)

    @property
    def plain_share(self) -> float | None:
        """The share of the portal's requests fetched without the browser (None: nothing fetched)."""
        total = self.plain_requests + self.browser_requests
        return self.plain_requests / total if total else None

    def count(self, counter: str, n: int = 1) -> None:
        self.counts[counter] += n

    def error(self, url: str | None, reason: str, detail: str = "") -> None:
        """Record a fault against `url` now, so a crash later loses nothing."""
        level = logging.INFO if reason in NOT_FAULTS else logging.WARNING
        log.log(level, "%s: %s %s %s", self.portal, reason, url or "", detail)
        self.store.record_error(self.run_id, self.portal, url, reason, detail)
        if reason not in NOT_FAULTS:
            self.counts["errors"] += 1

    def start_failed(self, url: str, reason: str, detail: str) -> None:
        self.start_errors.append(f"{reason} at {url}" + (f" ({detail})" if detail else ""))

    def block(self, url: str, detail: str) -> None:
        """The portal answered with a JavaScript challenge: nothing more can be fetched this run."""
        if self.status != PortalStatus.BLOCKED:
            self.error(url, "blocked", detail)
        self.status = PortalStatus.BLOCKED
        self.message = f"blocked by a JavaScript challenge at {url}: {detail}"

    def settle(self, close_reason: str) -> None:
        """Decide the final status from what was reached: any lost or skipped work is not `ok`."""
        if self.status == PortalStatus.BLOCKED:
            return
        self._settle(close_reason)
        if self.browser_requests:
            total = self.plain_requests + self.browser_requests
            note = f"browser: {self.browser_requests} of {total} requests, {self.plain_share:.0%} plain HTTP"
            if self.scripted_lists:
                note += " (its lists are built by script: set render: list)"
            self.message = f"{self.message}; {note}" if self.message else note

    def _settle(self, close_reason: str) -> None:
        errors = self.counts["errors"]
        if close_reason in INTERRUPTED_REASONS:
            self.status = PortalStatus.INTERRUPTED
            self.message = "interrupted by a signal; the rest is fetched by the next crawl"
        elif self.start_pages_ok == 0:
            self.status = PortalStatus.FAILED
            self.message = "; ".join(self.start_errors) or f"no list page could be read ({close_reason})"
        elif close_reason != "finished":
            self.status = PortalStatus.PARTIAL
            self.message = f"stopped early: {close_reason}"
        elif errors or self.start_errors:
            self.status = PortalStatus.PARTIAL
            self.message = "; ".join([*self.start_errors, *([f"{errors} errors"] if errors else [])])

    def save(self) -> None:
        """Write the per-portal row of this run."""
        counts = {name: n for name, n in self.counts.items() if name != "unchanged"}
        self.store.record_portal_run(self.run_id, self.portal, self.status, self.message, **counts)
        self.saved = True
