"""The states stored in the database, in one place (values are the strings in the tables)."""

from __future__ import annotations

from enum import StrEnum


class ArticleStatus(StrEnum):
    """What an article was when last seen (`articles.status`)."""

    NEW = "new"
    DUPLICATE = "duplicate"
    REVISED = "revised"


class RunStatus(StrEnum):
    """How a crawl run went (`crawl_runs.status`); `running` until it ends, `killed` if its process died."""

    RUNNING = "running"
    OK = "ok"
    PARTIAL = "partial"
    FAILED = "failed"
    KILLED = "killed"


class PortalStatus(StrEnum):
    """How one portal's part of a run went (`portal_runs.status`)."""

    OK = "ok"
    FAILED = "failed"
    BLOCKED = "blocked"


class DigestState(StrEnum):
    """Where a digest is (`digests.status`): `sending` until the mail server answers; `interrupted` when the run
    stopped while sending (its items stay pending and go out again)."""

    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    INTERRUPTED = "interrupted"
