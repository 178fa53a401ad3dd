"""Headless Chromium through Playwright: started on first need, one page at a time, capped, closed at the end."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import shutil
import signal
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from portalwatch.config import BrowserSettings

log = logging.getLogger(__name__)

CHALLENGE_STATUSES = frozenset({412, 521})
# Chromium's own traffic off; no profile, no GPU; the sandbox needs privileges a crawl host may not grant.
LAUNCH_ARGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
)
MAX_CHALLENGE_ANSWERS = 3  # a script that is challenged again this often in one visit will not get through
READ_SECONDS = 2.0  # past the page's limit, for reading what it came to (its cookies, its body)
QUIET_SECONDS = 1.0  # a page with its answer gets this long for its last requests to fail before it is closed
CLOSE_SECONDS = 3.0  # a page or browser that has not closed by then is left behind: the browser is killed
MEMORY_SAMPLE_SECONDS = 2.0  # how often the browser's memory is read while it runs
SKIPPED_RESOURCES = frozenset({"image", "media", "font", "stylesheet"})  # nothing a challenge or a list needs
# Headers of the browser's answer that no longer describe the decoded body Playwright hands back.
_TRANSPORT_HEADERS = frozenset({"content-encoding", "content-length", "transfer-encoding", "connection"})


def _challenges(documents: list[Any]) -> int:
    return sum(1 for response in documents if response.status in CHALLENGE_STATUSES)


class BrowserUnavailable(RuntimeError):
    """No browser can be started here (Playwright or Chromium missing, or Chromium failed to start)."""


@dataclass
class Visit:
    """What one page gave in the browser: its last document answer, the cookies earned, the requests sent."""

    url: str
    passed: bool
    reason: str = ""
    status: int = 0
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    cookies: list[dict[str, Any]] = field(default_factory=list)
    requests: int = 0
    challenge: bool = False  # it failed on the portal's challenge, not on the browser, the page or the network


def find_chromium(configured: str | None = None) -> str | None:
    """The Chromium to drive: the configured path, else the system's chromium on PATH."""
    if configured:
        return configured if Path(configured).is_file() else None
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return None


def process_tree(pid: int) -> list[int]:
    """A process and all its descendants, read from /proc/PID/task/TID/children (Linux)."""
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        for listing in Path(f"/proc/{current}/task").glob("*/children"):
            try:
                todo.extend(int(child) for child in listing.read_text().split())
            except (OSError, ValueError):  # the process ended meanwhile
                continue
    return found


def tree_memory_mb(pid: int) -> float:
    """Memory of a process and all its descendants, in MiB: their proportional set sizes (Linux /proc).

    PSS shares each page among the processes mapping it, so Chromium's many processes add up honestly.
    """
    total = 0
    for current in process_tree(pid):
        try:
            for line in Path(f"/proc/{current}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total / 1024


def _kill_tree(pid: int) -> None:
    for current in process_tree(pid):
        with contextlib.suppress(OSError):
            os.kill(current, signal.SIGKILL)


def _remove_singleton_folder(profile: Path) -> None:
    """Remove the temp folder of the profile's singleton socket, which Chromium removes itself only when it
    exits cleanly: a killed browser would leave one behind in the temp folder each time."""
    try:
        folder = Path(os.readlink(profile / "SingletonSocket")).parent
    except OSError:  # no such link: the browser removed it, or never made it
        return
    if folder.name.startswith("org.chromium.") and folder.parent == Path(tempfile.gettempdir()):
        shutil.rmtree(folder, ignore_errors=True)


def _browser_pid(profile: Path) -> int | None:
    """The main Chromium process: the one started with our throw-away profile folder."""
    marker = f"--user-data-dir={profile}".encode()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                arguments = (entry / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if marker in arguments and not any(a.startswith(b"--type=") for a in arguments):
                return int(entry.name)
    return None


class _Traffic:
    """A page's requests: the ones it may send (its portal's hosts, as robots.txt allows), the ones under way."""

    def __init__(self, hosts: set[str], allowed: Callable[[str], bool]) -> None:
        self.hosts = hosts
        self.allowed = allowed
        self.sent = 0
        self.loading: set[Any] = set()
        self.last = time.monotonic()  # when the page last sent or received anything
        self.done = False  # the visit has its answer: the page sends nothing more

    async def route(self, route: Any) -> None:
        request = route.request
        if (self.done or urlsplit(request.url).netloc.lower() not in self.hosts
                or request.resource_type in SKIPPED_RESOURCES):
            await route.abort()
        elif not self.allowed(request.url):
            log.debug("%s: forbidden by robots.txt, not fetched by the browser", request.url)
            await route.abort()
        else:
            self.sent += 1
            await route.continue_()

    def started(self, request: Any) -> None:
        self.loading.add(request)
        self.last = time.monotonic()

    def ended(self, request: Any) -> None:
        self.loading.discard(request)
        self.last = time.monotonic()

    async def quiet(self) -> None:
        """Return once no request of the page is under way."""
        while self.loading:
            await asyncio.sleep(0.05)


class Browser:
    """One headless Chromium for a crawl; `visit` opens one page at a time and never outlives its limits."""

    def __init__(self, settings: BrowserSettings, user_agent: str) -> None:
        self.settings = settings
        self.user_agent = user_agent  # the crawl's own: challenge cookies are often bound to it
        self.lock = asyncio.Lock()
        self.peak_mb = 0.0
        self.launches = 0
        self._page_peak_mb = 0.0  # the most the browser used while the current page was open
        self._playwright: Any = None
        self._context: Any = None
        self._profile: Path | None = None
        self._pid: int | None = None
        self._sampler: asyncio.Task | None = None

    async def visit(self, url: str, hosts: set[str], render: bool, allowed: Callable[[str], bool],
                    cookies: list[dict[str, Any]] | None = None) -> Visit:
        """Open `url`, let its script run until a non-challenge document is there, and say what came of it.

        `render`: the body is the document as the script left it (else the bytes the server sent).
        Requests to hosts outside `hosts` or that `allowed` (robots.txt) refuses are not sent, and images,
        media and fonts are never fetched. The whole visit ends within `page_seconds` (a few seconds more to
        read and close the page); a browser that does not answer by then is killed, and the next visit
        starts a fresh one.
        """
        context = await self._open()
        limit = self.settings.page_seconds
        deadline = time.monotonic() + limit
        traffic = _Traffic(hosts, allowed)
        opened: list[Any] = []  # the page, once there is one
        self._page_peak_mb = 0.0
        try:
            visit = await asyncio.wait_for(self._read(context, url, render, cookies, traffic, deadline, opened),
                                           limit + READ_SECONDS)
        except TimeoutError:
            visit = Visit(url, False, f"the browser did not finish the page within {limit:g} s")
        if not opened or await self._close_page(opened[0], traffic):
            await self._check_memory()
        else:
            log.warning("%s: the page did not close within %g s: restarting the browser", url, CLOSE_SECONDS)
            await self.close()
        visit.requests = traffic.sent  # counted once the page is closed: a request it was still making counts too
        return visit

    async def _read(self, context: Any, url: str, render: bool, cookies: list[dict[str, Any]] | None,
                    traffic: _Traffic, deadline: float, opened: list[Any]) -> Visit:
        from playwright.async_api import Error as PlaywrightError

        try:
            await context.clear_cookies()
            if cookies:
                await context.add_cookies(cookies)
            page = await context.new_page()
            opened.append(page)
            page.on("request", traffic.started)
            page.on("requestfinished", traffic.ended)
            page.on("requestfailed", traffic.ended)
            await page.route("**/*", traffic.route)
            visit = await self._follow(page, url, render, traffic, deadline)
            if visit.passed:
                visit.cookies = await context.cookies()
            return visit
        except PlaywrightError as exc:
            message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            return Visit(url, False, f"the browser could not load the page: {message}")

    async def _follow(self, page: Any, url: str, render: bool, traffic: _Traffic, deadline: float) -> Visit:
        """Wait for the page's script to reach a document that is not a challenge, within the time limits."""
        from playwright.async_api import Error as PlaywrightError

        documents: list[Any] = []
        decided = asyncio.Event()  # a document that is not a challenge arrived, or too many challenges did

        def on_response(response: Any) -> None:
            if decided.is_set() or response.frame != page.main_frame or not response.request.is_navigation_request():
                return
            documents.append(response)
            passed = response.status not in CHALLENGE_STATUSES and not 300 <= response.status < 400
            refused = _challenges(documents) > MAX_CHALLENGE_ANSWERS
            if refused:
                traffic.done = True  # the reload that follows is not sent
            if passed or refused:
                decided.set()

        page.on("response", on_response)
        limit, settle = self.settings.page_seconds, self.settings.settle_seconds
        await page.goto(url, wait_until="commit", timeout=max(0.1, deadline - time.monotonic()) * 1000)
        while not decided.is_set():
            now = time.monotonic()
            if now >= deadline:
                return Visit(url, False, f"still challenged after {len(documents)} answers in {limit:g} s",
                             challenge=bool(documents))
            quiet = 0.0 if traffic.loading else now - traffic.last  # a slow script download is not idleness
            if quiet >= settle:
                return Visit(url, False, f"the challenge page did nothing for {settle:g} s: "
                                         "it waits for a person (a CAPTCHA or a slider)", challenge=bool(documents))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(decided.wait(), timeout=min(settle - quiet, deadline - now, 0.5))
        if _challenges(documents) > MAX_CHALLENGE_ANSWERS:
            return Visit(url, False, f"still challenged after {len(documents)} answers: the page's cookie "
                                     "is refused", challenge=True)
        final = documents[-1]
        await page.wait_for_load_state("load", timeout=max(1.0, deadline - time.monotonic()) * 1000)
        if render:
            try:
                await page.wait_for_load_state("networkidle", timeout=max(1.0, deadline - time.monotonic()) * 1000)
            except PlaywrightError:
                log.warning("%s: the page kept loading until the time limit; rendered as it stood", url)
            body = (await page.content()).encode("utf-8")
            headers = {"content-type": "text/html; charset=utf-8"}
        else:
            body = await final.body()
            headers = {k: v for k, v in (await final.all_headers()).items() if k not in _TRANSPORT_HEADERS}
        return Visit(page.url, True, status=final.status, headers=headers, body=body)

    async def _close_page(self, page: Any, traffic: _Traffic) -> bool:
        """Close a page that has its answer; False when it did not close within CLOSE_SECONDS.

        Playwright holds back, neither sent nor refused, every request a page makes once its closing began,
        and Chromium does not close a page whose parser waits for such a script (a challenge that reloads
        for ever is always loading one): the page's last requests are refused and let fail first.
        """
        traffic.done = True
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(traffic.quiet(), QUIET_SECONDS)
        try:
            await asyncio.wait_for(page.close(), CLOSE_SECONDS)
        except Exception:  # timed out, or the browser is gone: either way it is restarted
            log.debug("closing the page failed", exc_info=True)
            return False
        return True

    async def _open(self) -> Any:
        """The browser context, launched on first use (and again after a restart)."""
        if self._context is not None:
            return self._context
        try:
            from playwright.async_api import async_playwright
        except ImportError as exc:
            raise BrowserUnavailable("Playwright is not installed (pip install 'portalwatch[browser]')") from exc
        executable = find_chromium(self.settings.executable)
        if executable is None:
            wanted = self.settings.executable or "chromium on PATH"
            raise BrowserUnavailable(f"no Chromium found ({wanted}; on Debian: apt-get install chromium)")
        self._profile = Path(tempfile.mkdtemp(prefix="portalwatch-browser-"))
        heap = max(64, self.settings.memory_mb // 4)
        try:
            self._playwright = await async_playwright().start()
            self._context = await self._playwright.chromium.launch_persistent_context(
                str(self._profile), executable_path=executable, headless=True,
                args=[*LAUNCH_ARGS, f"--js-flags=--max-old-space-size={heap}"],
                user_agent=self.user_agent, java_script_enabled=True, accept_downloads=False,
                service_workers="block", locale="zh-CN", timezone_id="Asia/Shanghai",
            )
        except Exception as exc:
            await self.close()
            raise BrowserUnavailable(f"Chromium ({executable}) did not start: {exc}") from exc
        self._pid = _browser_pid(self._profile)
        if self._pid is not None:
            self._sampler = asyncio.get_running_loop().create_task(self._sample_memory(self._pid))
        self.launches += 1
        log.info("browser started: %s (pid %s, profile %s)", executable, self._pid, self._profile)
        return self._context

    def _note_memory(self, pid: int) -> None:
        used = tree_memory_mb(pid)
        self.peak_mb = max(self.peak_mb, used)
        self._page_peak_mb = max(self._page_peak_mb, used)

    async def _sample_memory(self, pid: int) -> None:
        """Note the browser's memory every MEMORY_SAMPLE_SECONDS while it runs (its processes only)."""
        while True:
            self._note_memory(pid)
            await asyncio.sleep(MEMORY_SAMPLE_SECONDS)

    async def _check_memory(self) -> None:
        """Past the cap at any moment the page was open, close the browser (the next visit starts a fresh one)."""
        if self._pid is None:
            return
        self._note_memory(self._pid)
        if self._page_peak_mb > self.settings.memory_mb:
            log.warning("browser uses %.0f MiB (cap %d MiB): restarting it", self._page_peak_mb,
                        self.settings.memory_mb)
            await self.close()

    async def close(self) -> None:
        """Close the browser and Playwright and remove the profile folder; safe to call twice.

        A browser that has not closed within CLOSE_SECONDS is killed, its every process.
        """
        if self._sampler is not None:
            self._sampler.cancel()
        context, playwright, self._context, self._playwright = self._context, self._playwright, None, None
        pid, self._sampler = self._pid, None
        if context is not None:
            try:
                await asyncio.wait_for(context.close(), CLOSE_SECONDS)
            except TimeoutError:
                log.warning("the browser did not close within %g s: killing it (pid %s)", CLOSE_SECONDS, pid)
                if pid is not None:
                    _kill_tree(pid)
            except Exception:  # a browser that died already needs no closing
                log.debug("closing the browser context failed", exc_info=True)
        if playwright is not None:
            try:
                await asyncio.wait_for(playwright.stop(), CLOSE_SECONDS)
            except Exception:
                log.debug("stopping Playwright failed", exc_info=True)
        if self._profile is not None:
            _remove_singleton_folder(self._profile)
            shutil.rmtree(self._profile, ignore_errors=True)
            self._profile, self._pid = None, None


def browser_available(configured: str | None = None) -> str | None:
    """Why no browser can run here, or None when Playwright and a Chromium are both present."""
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "Playwright is not installed (pip install 'portalwatch[browser]')"
    if find_chromium(configured) is None:
        return f"no Chromium found ({configured or 'chromium on PATH'}; on Debian: apt-get install chromium)"
    return None
