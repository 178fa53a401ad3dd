"""`FixtureSites`: every fixture site started on 127.0.0.1, switchable between two versions."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from portalwatch.fixture_sites import blocked, faulty, files, generic, hanweb, news, oldqd, park, scripted, trs
from portalwatch.fixture_sites.content import Edition, editions
from portalwatch.fixture_sites.markup import attachment_paths
from portalwatch.fixture_sites.records import ExpectedArticle, RequestRecord, SiteBuild
from portalwatch.fixture_sites.server import SiteServer
from portalwatch.fixture_sites.walls import Wall, walled


@dataclass(frozen=True)
class _Kind:
    build: Callable[[Edition], SiteBuild]
    district: str | None = None  # the district a user would set in the portal config
    scaled: bool = True  # `scale` multiplies its generated articles
    content: bool = True  # has articles of its own
    title: str | None = None  # the site's name as readers know it (the portal's `title:`)
    render: str | None = None  # the `render:` a user sets for it; set: its portal needs the browser


VERSIONS = (1, 2)


class FixtureSites:
    """Replicas of each portal kind, one threaded HTTP server per site, as a context manager.

    `flaky_failures`: 5xx answers the faulty site's flaky article gives before it succeeds.
    `slow_seconds`: how long its slow article keeps a request waiting before dropping it.
    `pass_uses`: answers one pass of the 412 wall is good for before it challenges again.
    `solver_seconds`: how long the 412 wall keeps its solver script waiting.
    `process`: serve from a child process (`python -m portalwatch.fixture_sites`), so that a benchmark's
    crawler does not share the interpreter lock with the servers; everything else works the same.
    `ports`: site name -> port to serve it on, for in-process servers (a portal coming back at its address).
    """

    def __init__(
        self, scale: int = 1, flaky_failures: int = 2, slow_seconds: float = 3.0, process: bool = False,
        pass_uses: int = 20, solver_seconds: float = 0.0,
        ports: dict[str, int] | None = None,
    ) -> None:
        if scale < 1:
            raise ValueError(f"scale must be 1 or more, not {scale}")
        self.scale = scale
        self.version = 1
        self.options = {"scale": scale, "flaky_failures": flaky_failures, "slow_seconds": slow_seconds,
                        "pass_uses": pass_uses, "solver_seconds": solver_seconds}
        self.process = process
        self.ports = dict(ports or {})
        self._requests: list[RequestRecord] = []
        self._child: subprocess.Popen | None = None
        self._base_urls: dict[str, str] = {}
        self._kinds = {
            "trs": _Kind(trs.build, "崂山区", title=trs.SITE_NAME),
            "hanweb": _Kind(hanweb.build, title=hanweb.SITE_NAME),
            "oldqd": _Kind(oldqd.build, "青岛市", title=oldqd.SITE_NAME),
            "news": _Kind(news.build, title=news.SITE_NAME),
            "park": _Kind(park.build, "即墨区", title=park.SITE_NAME),
            "generic": _Kind(generic.build, title=generic.SITE_NAME),
            "files": _Kind(files.build, title=files.SITE_NAME),
            "faulty": _Kind(partial(faulty.build, flaky_failures=flaky_failures, slow_seconds=slow_seconds),
                            "崂山区", scaled=False),
            "blocked": _Kind(blocked.build, scaled=False, content=False),
            # Behind a JavaScript challenge, or listing by script: crawled through the browser.
            "cookie412": _Kind(lambda e: walled(trs.build(e), Wall(412, pass_uses, solver_seconds)), "崂山区",
                               render="auto"),
            "cookie521": _Kind(lambda e: walled(hanweb.build(e), Wall(521)), render="auto"),
            "scripted": _Kind(scripted.build, "黄岛区", render="list"),
        }
        self._lock = threading.Lock()
        self._servers: dict[str, SiteServer] = {}
        self._builds: dict[tuple[str, int], SiteBuild] = {}

    def __enter__(self) -> FixtureSites:
        try:
            self._start_child() if self.process else self._start_servers()
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        for server in self._servers.values():
            server.stop()
        self._servers.clear()
        if self._child is not None:
            self._child.stdin.close()  # the child stops its servers and exits when its input ends
            try:
                self._child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._child.kill()
                self._child.wait()
            self._child.stdout.close()
            self._child = None

    def _start_servers(self) -> None:
        for name in self._kinds:
            self._servers[name] = SiteServer(name, self._requests, self._lock, self.ports.get(name, 0))
        self._base_urls = {name: server.base_url for name, server in self._servers.items()}
        for name, server in self._servers.items():
            server.peers = self._base_urls
            server.build = self._build(name, self.version)
            server.start()

    def _start_child(self) -> None:
        options = [f"--{key.replace('_', '-')}={value}" for key, value in self.options.items()]
        self._child = subprocess.Popen(
            [sys.executable, "-m", "portalwatch.fixture_sites", *options],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, encoding="utf-8",
        )
        self._base_urls = self._ask(None)["base_urls"]

    def _ask(self, command: dict | None) -> dict:
        """Send one command to the child process (None: only read) and return its answer."""
        if command is not None:
            self._child.stdin.write(json.dumps(command) + "\n")
            self._child.stdin.flush()
        line = self._child.stdout.readline()
        if not line:
            raise RuntimeError(f"fixture sites process exited with status {self._child.wait()}")
        return json.loads(line)

    @property
    def base_urls(self) -> dict[str, str]:
        """Site name -> "http://127.0.0.1:PORT"."""
        return dict(self._base_urls)

    @property
    def requests(self) -> list[RequestRecord]:
        """Every request answered so far, in order: (site, method, path, status, conditional)."""
        if self._child is not None:
            return [RequestRecord(*record) for record in self._ask({"command": "requests"})["requests"]]
        with self._lock:
            return list(self._requests)

    def portals(self, browser: bool = False) -> list[dict]:
        """Portal config entries, as a user would write them in config.yaml.

        `browser`: also the portals that need the headless browser (challenges, script-built lists).
        """
        entries = []
        for name, base in self._base_urls.items():
            kind = self._kinds[name]
            if kind.render is not None and not browser:
                continue
            entry: dict = {"name": name, "start_urls": [base + p for p in self._build(name, 1).start_paths]}
            if kind.district:
                entry["district"] = kind.district
            if kind.render not in (None, "auto"):
                entry["render"] = kind.render
            if kind.title:
                entry["title"] = kind.title
            entries.append(entry)
        return entries

    def set_version(self, version: int) -> None:
        """Switch every site to version 1 or 2 (added and revised articles)."""
        if version not in VERSIONS:
            raise ValueError(f"fixture sites have versions {VERSIONS}, not {version}")
        if self._child is not None:
            self._ask({"command": "version", "version": version})
        for name, server in self._servers.items():
            server.build = self._build(name, version)
        self.version = version

    def expected(self, name: str) -> list[ExpectedArticle]:
        """The articles the spider must find on site `name` now, newest first."""
        base = self._base(name)
        return [
            ExpectedArticle(
                url=base + path,
                title=article.title,
                published=article.day,
                text=article.text,
                attachments=[base + p for p in attachment_paths(article, path)],
            )
            for path, article in self._build(name, self.version).expected
        ]

    def revised(self, name: str) -> list[str]:
        """URLs of the articles revised in version 2."""
        return self._changed(name, lambda edition: edition.revised)

    def added(self, name: str) -> list[str]:
        """URLs of the articles added in version 2."""
        return self._changed(name, lambda edition: edition.added)

    def faults(self) -> dict[str, str]:
        """Fault name -> URL on the faulty site (see `faulty.FAULTS` for what each does)."""
        base = self._base("faulty")
        urls = {fault: base + faulty.fault_path(fault) for fault in faulty.FAULTS}
        urls["changed_list"] = base + trs.list_path(1)
        urls["offsite_target"] = self._base("generic") + generic.OFFSITE_PATH
        return urls

    def clear_requests(self) -> None:
        if self._child is not None:
            self._ask({"command": "clear"})
        with self._lock:
            self._requests.clear()

    def _changed(self, name: str, which: Callable[[Edition], frozenset[int]]) -> list[str]:
        base = self._base(name)
        if not self._kinds[name].content:
            return []
        ids = which(self._editions(name)[1])
        return [base + path for path, article in self._build(name, 2).expected if article.id in ids]

    def _base(self, name: str) -> str:
        try:
            return self._base_urls[name]
        except KeyError:
            known = ", ".join(self._base_urls) or "none started"
            raise KeyError(f"no fixture site {name!r} (sites: {known})") from None

    def _editions(self, name: str) -> tuple[Edition, Edition]:
        return editions(name, self.scale if self._kinds[name].scaled else 1)

    def _build(self, name: str, version: int) -> SiteBuild:
        key = (name, version)
        if key not in self._builds:
            kind = self._kinds[name]
            self._builds[key] = kind.build(self._editions(name)[version - 1] if kind.content else None)
        return self._builds[key]
