"""Headless Chromium through Playwright: started on first need, one page at a time, capped, closed at the end."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import shutil
import tempfile
import time
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


def find_chromium(configured: str | None = None) -> str | None:
    """The Chromium to drive: the configured path, else the system's chromium on PATH."""
    if configured:
        return configured if Path(configured).is_file() else None
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return None


def tree_memory_mb(pid: int) -> float:
    """Memory of a process and all its descendants, in MiB: their proportional set sizes (Linux /proc).

    PSS shares each page among the processes mapping it, so Chromium's many processes add up honestly.
    """
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(entry.name))
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        todo.extend(children.get(current, []))
        try:
            for line in Path(f"/proc/{current}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total / 1024


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


class Browser:
    """One headless Chromium for a crawl; `visit` opens one page at a time and never outlives its limits."""

    def __init__(self, settings: BrowserSettings, user_agent: str) -> None:
        self.settings = settings
        self.user_agent = user_agent  # the crawl's own: challenge cookies are often bound to it
        self.lock = asyncio.Lock()
        self.peak_mb = 0.0
        self.launches = 0
        self._playwright: Any = None
        self._context: Any = None
        self._profile: Path | None = None
        self._pid: int | None = None

    async def visit(self, url: str, hosts: set[str], render: bool,
                    cookies: list[dict[str, Any]] | None = None) -> Visit:
        """Open `url`, let its script run until a non-challenge document is there, and say what came of it.

        `render`: the body is the document as the script left it (else the bytes the server sent).
        Requests to hosts outside `hosts` are refused, and images, media and fonts are never fetched.
        """
        context = await self._open()
        await context.clear_cookies()
        if cookies:
            await context.add_cookies(cookies)
        page = await context.new_page()
        sent = [0]

        async def route(route: Any) -> None:
            request = route.request
            if urlsplit(request.url).netloc.lower() not in hosts or request.resource_type in SKIPPED_RESOURCES:
                await route.abort()
            else:
                sent[0] += 1
                await route.continue_()

        await page.route("**/*", route)
        try:
            visit = await self._follow(page, url, render)
            visit.cookies = await context.cookies()
        finally:
            await page.close()
            await self._check_memory()
        visit.requests = sent[0]  # counted once the page is closed: a request it was still making counts too
        return visit

    async def _follow(self, page: Any, url: str, render: bool) -> Visit:
        """Wait for the page's script to reach a document that is not a challenge, within the time limits."""
        from playwright.async_api import Error as PlaywrightError

        documents: list[Any] = []
        decided = asyncio.Event()  # a document that is not a challenge arrived, or too many challenges did
        loading: set[Any] = set()  # requests of the page still under way
        last = [time.monotonic()]  # when the page last sent or received anything

        def on_response(response: Any) -> None:
            if response.frame == page.main_frame and response.request.is_navigation_request():
                documents.append(response)
                passed = response.status not in CHALLENGE_STATUSES and not 300 <= response.status < 400
                if passed or _challenges(documents) > MAX_CHALLENGE_ANSWERS:
                    decided.set()

        def on_request(request: Any) -> None:
            loading.add(request)
            last[0] = time.monotonic()

        def on_done(request: Any) -> None:
            loading.discard(request)
            last[0] = time.monotonic()

        page.on("response", on_response)
        page.on("request", on_request)
        page.on("requestfinished", on_done)
        page.on("requestfailed", on_done)
        limit, settle = self.settings.page_seconds, self.settings.settle_seconds
        deadline = time.monotonic() + limit
        try:
            await page.goto(url, wait_until="commit", timeout=limit * 1000)
            while not decided.is_set():
                now = time.monotonic()
                if now >= deadline:
                    return Visit(url, False, f"still challenged after {len(documents)} answers in {limit:g} s")
                quiet = 0.0 if loading else now - last[0]  # a slow script download is not idleness
                if quiet >= settle:
                    return Visit(url, False, f"the challenge page did nothing for {settle:g} s: "
                                             "it waits for a person (a CAPTCHA or a slider)")
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(decided.wait(), timeout=min(settle - quiet, deadline - now, 0.5))
            if _challenges(documents) > MAX_CHALLENGE_ANSWERS:
                return Visit(url, False, f"still challenged after {len(documents)} answers: the page's cookie "
                                         "is refused")
            final = documents[-1]
            left_ms = max(1.0, deadline - time.monotonic()) * 1000
            await page.wait_for_load_state("load", timeout=left_ms)
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
        except PlaywrightError as exc:
            message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            return Visit(url, False, f"the browser could not load the page: {message}")

    async def _open(self) -> Any:
        """The browser context, launched on first use (and again after a memory restart)."""
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
        self.launches += 1
        log.info("browser started: %s (pid %s, profile %s)", executable, self._pid, self._profile)
        return self._context

    async def _check_memory(self) -> None:
        """Note the peak; past the cap, close the browser (the next visit starts a fresh one)."""
        if self._pid is None:
            return
        used = tree_memory_mb(self._pid)
        self.peak_mb = max(self.peak_mb, used)
        if used > self.settings.memory_mb:
            log.warning("browser uses %.0f MiB (cap %d MiB): restarting it", used, self.settings.memory_mb)
            await self.close()

    async def close(self) -> None:
        """Close the browser and Playwright and remove the profile folder; safe to call twice."""
        context, playwright, self._context, self._playwright = self._context, self._playwright, None, None
        try:
            if context is not None:
                await context.close()
        except Exception:  # a browser that died already needs no closing
            log.debug("closing the browser context failed", exc_info=True)
        try:
            if playwright is not None:
                await playwright.stop()
        except Exception:
            log.debug("stopping Playwright failed", exc_info=True)
        if self._profile is not None:
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
