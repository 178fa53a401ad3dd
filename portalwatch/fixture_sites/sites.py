"""`FixtureSites`: every fixture site started on 127.0.0.1, switchable between two versions."""

from __future__ import annotations

import threading
from collections.abc import Callable
from types import ModuleType

from portalwatch.fixture_sites import generic, hanweb, news, oldqd, park, trs
from portalwatch.fixture_sites.content import editions
from portalwatch.fixture_sites.markup import attachment_paths
from portalwatch.fixture_sites.records import ExpectedArticle, RequestRecord, SiteBuild
from portalwatch.fixture_sites.server import SiteServer

# Site name -> (renderer module, district the portal config names, or None)
RENDERERS: dict[str, tuple[ModuleType, str | None]] = {
    "trs": (trs, "崂山区"),
    "hanweb": (hanweb, None),
    "oldqd": (oldqd, "青岛市"),
    "news": (news, None),
    "park": (park, "即墨区"),
    "generic": (generic, None),
}
VERSIONS = (1, 2)


class FixtureSites:
    """Replicas of each portal kind, one threaded HTTP server per site, as a context manager."""

    def __init__(self, scale: int = 1) -> None:
        if scale < 1:
            raise ValueError(f"scale must be 1 or more, not {scale}")
        self.scale = scale
        self.version = 1
        self.requests: list[RequestRecord] = []
        self._lock = threading.Lock()
        self._servers: dict[str, SiteServer] = {}
        self._builds: dict[tuple[str, int], SiteBuild] = {}

    def __enter__(self) -> FixtureSites:
        try:
            for name in self._site_names():
                server = SiteServer(name, self.requests, self._lock)
                self._servers[name] = server
            for name, server in self._servers.items():
                server.build = self._build(name, self.version)
                server.start()
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        for server in self._servers.values():
            server.stop()
        self._servers.clear()

    @staticmethod
    def _site_names() -> list[str]:
        return list(RENDERERS)

    @property
    def base_urls(self) -> dict[str, str]:
        return {name: server.base_url for name, server in self._servers.items()}

    def portals(self) -> list[dict]:
        """Portal config entries, as a user would write them in config.yaml."""
        entries = []
        for name, server in self._servers.items():
            entry: dict = {"name": name, "start_urls": [server.base_url + p for p in server.build.start_paths]}
            district = RENDERERS[name][1] if name in RENDERERS else None
            if district:
                entry["district"] = district
            entries.append(entry)
        return entries

    def set_version(self, version: int) -> None:
        """Switch every site to version 1 or 2 (added and revised articles)."""
        if version not in VERSIONS:
            raise ValueError(f"fixture sites have versions {VERSIONS}, not {version}")
        for name, server in self._servers.items():
            server.build = self._build(name, version)
        self.version = version

    def expected(self, name: str) -> list[ExpectedArticle]:
        """The articles the spider must find on site `name` now, newest first."""
        base = self._server(name).base_url
        return [
            ExpectedArticle(
                url=base + path,
                title=article.title,
                published=article.day,
                text=article.text,
                attachments=[base + p for p in attachment_paths(article, path)],
            )
            for path, article in self._server(name).build.expected
        ]

    def revised(self, name: str) -> list[str]:
        """URLs of the articles revised in version 2."""
        return self._changed(name, lambda edition: edition.revised)

    def added(self, name: str) -> list[str]:
        """URLs of the articles added in version 2."""
        return self._changed(name, lambda edition: edition.added)

    def clear_requests(self) -> None:
        with self._lock:
            self.requests.clear()

    def _changed(self, name: str, which: Callable) -> list[str]:
        if name not in RENDERERS:
            return []
        ids = which(editions(name, self.scale)[1])
        base = self._server(name).base_url
        return [base + path for path, article in self._build(name, 2).expected if article.id in ids]

    def _server(self, name: str) -> SiteServer:
        try:
            return self._servers[name]
        except KeyError:
            raise KeyError(f"no fixture site {name!r} (sites: {', '.join(self._servers) or 'none started'})") from None

    def _build(self, name: str, version: int) -> SiteBuild:
        key = (name, version)
        if key not in self._builds:
            renderer = RENDERERS[name][0]
            self._builds[key] = renderer.build(editions(name, self.scale)[version - 1])
        return self._builds[key]
