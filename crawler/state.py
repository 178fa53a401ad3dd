"""What the spider knows about one portal during a crawl."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from crawler.extract import Extractor, Page, PortalKind, detect, kind_named
from crawler.extract.hosts import HostScope
from crawler.health import PortalHealth
from portalwatch.config import PortalConfig


@dataclass
class Known:
    """A stored article to re-check: its id and the validators of its last answer."""

    id: int
    etag: str | None
    last_modified: str | None


@dataclass
class PortalState:
    """One portal's config, kind, known URLs and health while the crawl runs."""

    portal: PortalConfig
    health: PortalHealth
    max_pages: int
    kind: PortalKind | None = None
    known: set[str] = field(default_factory=set)  # stored articles
    listed: set[str] = field(default_factory=set)  # links in the frontier (pending or given up)
    resume_depth: dict[str, int] = field(default_factory=dict)  # start URL -> depth of an unfinished walk
    revisit: dict[str, Known] = field(default_factory=dict)
    scheduled: set[str] = field(default_factory=set)
    failures: dict[str, tuple[str, bool]] = field(default_factory=dict)  # link -> (error, give up at once)
    render_tried: bool = False  # `render: auto` tried a list page without links in the browser this run

    @property
    def name(self) -> str:
        return self.portal.name

    @cached_property
    def hosts(self) -> HostScope:
        """The hosts this portal may lead to: its registrable domain, or the config's `allowed_hosts`."""
        return HostScope(self.portal.start_urls, self.portal.allowed_hosts)

    @property
    def blocked(self) -> bool:
        return self.health.status == "blocked"

    def extractor(self, page: Page, remember: bool) -> Extractor:
        """The portal's extractor: its preset, else the kind detected (and, on a list page, remembered)."""
        kind = self.kind
        if kind is None:
            kind = kind_named(self.portal.preset) if self.portal.preset != "auto" else detect(page)
            if remember:
                self.kind = kind
        return Extractor(kind, self.portal.selectors)
