"""Any other site: title-like link groups, 下一页 links, densest text block, trafilatura as fallback."""

from __future__ import annotations

from crawler.extract.base import PortalKind


class Generic(PortalKind):
    name = "generic"
