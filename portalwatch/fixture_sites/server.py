"""One threaded HTTP server per fixture site: precomputed pages, conditional requests, a request log."""

from __future__ import annotations

import contextlib
import socket
import threading
from email.utils import parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

from portalwatch.fixture_sites.records import Page, Request, RequestRecord, SiteBuild

NOT_FOUND = Page(
    body=b"<html><head><title>404 Not Found</title></head><body><h1>404 Not Found</h1><hr>nginx</body></html>",
    status=404,
)
MAX_FORM_BYTES = 64 * 1024
POLL_SECONDS = 0.05  # how soon a server notices it is asked to stop


class SiteServer(ThreadingHTTPServer):
    """Serves one site's current build on 127.0.0.1 and logs every request."""

    daemon_threads = True
    block_on_close = False

    def __init__(self, name: str, log: list[RequestRecord], lock: threading.Lock, port: int = 0) -> None:
        super().__init__(("127.0.0.1", port), _Handler)
        self.name = name
        self.build: SiteBuild | None = None
        self.peers: dict[str, str] = {}  # site name -> base URL of every fixture site
        self.stopping = threading.Event()
        self._log, self._lock = log, lock
        self._connections: set[socket.socket] = set()
        self._thread = threading.Thread(
            target=self.serve_forever, args=(POLL_SECONDS,), name=f"fixture-{name}", daemon=True
        )

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        """Stop accepting, end every open keep-alive connection, close the socket."""
        self.stopping.set()
        if self._thread.is_alive():
            self.shutdown()
            self._thread.join(timeout=5)
        with self._lock:
            open_connections = list(self._connections)
        for connection in open_connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
        self.server_close()

    def get_request(self) -> tuple[socket.socket, Any]:
        connection, address = super().get_request()
        with self._lock:
            self._connections.add(connection)
        return connection, address

    def shutdown_request(self, request: socket.socket) -> None:
        with self._lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def record(self, method: str, path: str, status: int, conditional: bool, fetch_dest: str | None = None) -> None:
        """Log one answer; `fetch_dest` is the browser's Sec-Fetch-Dest header (Scrapy sends none)."""
        with self._lock:
            self._log.append(RequestRecord(self.name, method, path, status, conditional, fetch_dest is not None,
                                           fetch_dest == "document"))


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "nginx/1.20.1"
    sys_version = ""
    timeout = 15  # an idle keep-alive connection is closed after this many seconds
    disable_nagle_algorithm = True  # headers and body go out in two writes: no 40 ms delayed-ACK stall
    server: SiteServer

    def do_GET(self) -> None:
        self._answer()

    def do_HEAD(self) -> None:
        self._answer()

    def do_POST(self) -> None:
        self._answer()

    def version_string(self) -> str:
        return self.server_version

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the request log is `FixtureSites.requests`."""

    def send_response(self, code: int, message: str | None = None) -> None:
        """Log the request as its status line goes out, so the log is complete when the client has the answer."""
        self._record(code)
        super().send_response(code, message)

    def _record(self, status: int) -> None:
        if not self._logged:
            self._logged = True
            conditional = "If-None-Match" in self.headers or "If-Modified-Since" in self.headers
            self.server.record(self.command, self.path, status, conditional, self.headers.get("Sec-Fetch-Dest"))

    def _answer(self) -> None:
        self._logged = False
        path, _, query = self.path.partition("?")
        build = self.server.build
        route = build.routes.get(path) if build else None
        if route is None and build and path not in build.pages:
            route = build.fallback
        if route is not None:
            route(self, Request(self.command, path, query, self._form(query)))
        else:
            self.send_page(build.pages.get(path, NOT_FOUND) if build else NOT_FOUND)
        self._record(0)  # logged already unless the route dropped the connection without an answer

    def _form(self, query: str) -> dict[str, str]:
        """Query and urlencoded body fields together (the body wins)."""
        form = dict(parse_qsl(query, keep_blank_values=True))
        length = int(self.headers.get("Content-Length") or 0)
        if 0 < length <= MAX_FORM_BYTES:
            form.update(parse_qsl(self.rfile.read(length).decode("utf-8", "replace"), keep_blank_values=True))
        return form

    def send_page(self, page: Page, extra: tuple[tuple[str, str], ...] = ()) -> None:
        """Send a precomputed page, or 304 when the request's validators still match it."""
        validators = page.modified is not None and page.status == 200
        status = 304 if validators and self._not_modified(page) else page.status
        self.send_response(status)
        for name, value in (*page.headers, *extra):
            self.send_header(name, value)
        if validators:
            self.send_header("ETag", page.etag)
            self.send_header("Last-Modified", page.last_modified)
        if status == 304:
            self.end_headers()
            return
        self.send_header("Content-Type", page.content_type)
        self.send_header("Content-Length", str(len(page.body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(page.body)

    def _not_modified(self, page: Page) -> bool:
        tags = self.headers.get("If-None-Match")
        if tags is not None:
            sent = {t.strip().removeprefix("W/") for t in tags.split(",")}
            return page.etag in sent or "*" in sent
        since = self.headers.get("If-Modified-Since")
        if since is None or page.modified is None:
            return False
        try:
            return page.modified.replace(microsecond=0) <= parsedate_to_datetime(since)
        except (TypeError, ValueError):
            return False
