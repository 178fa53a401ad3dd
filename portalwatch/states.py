"""The states stored in the database, in one place (values are the strings in the tables)."""

from __future__ import annotations

from enum import StrEnum


class ArticleStatus(StrEnum):
    """What an article was when last seen (`articles.status`)."""

    NEW = "new"
    DUPLICATE = "duplicate"
    REVISED = "revised"


class RunStatus(StrEnum):
    """How a crawl run went (`crawl_runs.status`); `running` until it ends."""

    RUNNING = "running"
    OK = "ok"  # every portal ok
    PARTIAL = "partial"  # some portal lost or skipped work
    FAILED = "failed"  # no portal could be crawled
    INTERRUPTED = "interrupted"  # stopped by a signal, or its process died (kill -9, power cut)
    KILLED = "killed"  # ended at its time limit


class PortalStatus(StrEnum):
    """How one portal's part of a run went (`portal_runs.status`)."""

    OK = "ok"
    PARTIAL = "partial"  # its lists were read, but some article could not be fetched or stored
    FAILED = "failed"  # no list page could be read
    BLOCKED = "blocked"  # a JavaScript challenge
    INTERRUPTED = "interrupted"  # the run was stopped before the portal was done


DOWN = frozenset({PortalStatus.FAILED, PortalStatus.BLOCKED})  # statuses that count towards an alert


class LinkState(StrEnum):
    """An article link in the frontier (`frontier.state`)."""

    PENDING = "pending"  # found on a list page, not stored yet
    GIVEN_UP = "given_up"  # failed `crawl.give_up_attempts` times over `crawl.give_up_days` days, or forbidden


class DigestState(StrEnum):
    """Where a digest is (`digests.status`): `sending` while it is built, `queued` once stored in the outbox, `sent`
    when every recipient has it, `dropped` when the operator gave up on it; `interrupted` when the run stopped
    before it was stored (its items stay pending)."""

    SENDING = "sending"
    QUEUED = "queued"  # stored whole in the outbox, not yet at every recipient
    SENT = "sent"
    FAILED = "failed"
    INTERRUPTED = "interrupted"
    DROPPED = "dropped"  # the operator gave up on its message (`outbox --drop`); its items wait for the next digest


class DeliveryState(StrEnum):
    """Where one recipient of a stored message stands."""

    PENDING = "pending"  # not tried yet, or the server deferred it (4xx): it goes out with the next attempt
    UNKNOWN = "unknown"  # the message went past DATA but no 250 was recorded: re-sent with the same Message-ID
    SENT = "sent"  # the server answered 250 to DATA for this recipient
    FAILED = "failed"  # the server refused this recipient (5xx): reported, and tried again next time
    DROPPED = "dropped"  # the operator gave up on the message before this recipient had it: never sent again


class MessageKind(StrEnum):
    """What a stored message is."""

    DIGEST = "digest"
    ALERT = "alert"


class ItemKind(StrEnum):
    """What a digest message carries: stored articles and revisions."""

    ARTICLE = "article"
    REVISION = "revision"
