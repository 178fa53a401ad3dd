"""Name what went wrong with a request, in the words of the crawl health table (reason, detail)."""

from __future__ import annotations

from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
)
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet import error as net
from twisted.python.failure import Failure
from twisted.web._newclient import ResponseFailed, ResponseNeverReceived

from crawler.middlewares import Handled

_TIMEOUTS = (DownloadTimeoutError, net.TimeoutError, net.TCPTimedOutError, TimeoutError)
_CONNECTION = (DownloadConnectionRefusedError, DownloadFailedError, CannotResolveHostError, net.ConnectError,
               net.ConnectionLost, net.ConnectionDone, ResponseNeverReceived, ConnectionError)


def _truncated(exc: BaseException) -> bool:
    if isinstance(exc, ResponseDataLossError):
        return True
    if isinstance(exc, ResponseFailed):
        return any("DataLoss" in type(reason.value).__name__ for reason in exc.reasons)
    return False


def describe(failure: Failure) -> tuple[str, str]:
    """(reason, detail) for a failed request: http-503, timeout, truncated, too-large, connection, ..."""
    exc = failure.value
    detail = str(exc).strip() or type(exc).__name__
    if isinstance(exc, Handled):
        return exc.reason, detail
    if isinstance(exc, HttpError):
        status = exc.response.status
        return f"http-{status}", f"HTTP {status}"
    if isinstance(exc, IgnoreRequest):
        if "robots.txt" in detail:
            return "robots", "forbidden by robots.txt"
        if "max redirections" in detail:
            return "redirect-loop", "too many redirects"
        return "ignored", detail
    if isinstance(exc, DownloadCancelledError) or "max size" in detail:
        return "too-large", detail
    if _truncated(exc):
        return "truncated", "the connection closed before the whole body arrived"
    if isinstance(exc, _TIMEOUTS):
        return "timeout", detail
    if isinstance(exc, _CONNECTION):
        return "connection", f"{type(exc).__name__}: {detail}"
    return "error", f"{type(exc).__name__}: {detail}"
