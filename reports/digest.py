"""Make, archive and send the digest; articles count as sent only once the mail server accepted the message."""

from __future__ import annotations

import logging
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo

from filelock import FileLock, Timeout

from portalwatch.config import Config
from portalwatch.states import DigestState
from portalwatch.storage import Store, utcnow
from reports import archive
from reports.collect import DigestContent, as_utc, collect, last_sent
from reports.mail import DeliveryError, build_message, deliver, message_id, message_size
from reports.notify import notify
from reports.render import Rendered, render, render_fitting

log = logging.getLogger(__name__)

DigestStatus = Literal["sent", "empty", "written", "failed"]
WEEK = timedelta(days=7)
DUE_GRACE = timedelta(hours=12)  # a digest sent a little late last week is still due at this week's slot
LOCK_WAIT = 60.0  # seconds to wait for another digest run on the same database


@dataclass
class DigestOutcome:
    """What `run_digest` did."""

    status: DigestStatus
    path: Path | None = None  # the archived HTML (the preview for a dry run)
    counts: dict[str, int] = field(default_factory=dict)
    error: str | None = None
    recipients: list[str] = field(default_factory=list)
    digest_id: int | None = None
    message_id: str | None = None
    cut: bool = False  # the mail shows only the top items and links to the full report
    notify_errors: list[str] = field(default_factory=list)


def last_sent_at(store: Store) -> datetime | None:
    """When the last digest was accepted by the mail server (UTC), or None if none ever was."""
    row = last_sent(store)
    return as_utc(row["sent_at"] or row["period_end"]) if row else None


def has_pending(store: Store) -> bool:
    """True when some article or revision is in no sent digest yet."""
    return store.has_pending()


def digest_due(store: Store, now: datetime) -> bool:
    """A week or more (less a little grace) since the last sent digest, or never sent but something pending."""
    last = last_sent_at(store)
    if last is None:
        return has_pending(store)
    return as_utc(now) - last >= WEEK - DUE_GRACE


def run_digest(config: Config, *, dry_run: bool = False, out: Path | None = None,
               since: date | None = None) -> DigestOutcome:
    """Collect what is new, archive it, and mail it (unless `dry_run`); `out` gets a copy of the full HTML."""
    store = Store(config.database)
    tz = ZoneInfo(config.timezone)
    start = datetime.combine(since, time.min, tzinfo=tz) if since else None
    if dry_run:
        try:
            return _preview(config, store, tz, out, start)
        except OSError as exc:
            return DigestOutcome("failed", error=f"cannot write {exc.filename or 'the report'}: {exc.strerror or exc}")
    lock_path = config.data_dir / "digest.lock"
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with FileLock(lock_path, timeout=LOCK_WAIT):
            return _send(config, store, tz, out, start)
    except Timeout:
        return DigestOutcome("failed", error=f"another digest run is still going on (lock {lock_path.name} held)")


def _collect(config: Config, store: Store, now: datetime, start: datetime | None) -> DigestContent:
    return collect(store, now, start, [p.name for p in config.portals if p.enabled])


def _preview(config: Config, store: Store, tz: ZoneInfo, out: Path | None, start: datetime | None) -> DigestOutcome:
    """Render without sending or marking anything: `preview.html` in the reports folder, and `out`."""
    now = utcnow()
    content = _collect(config, store, now, start)
    full = render(content, tz)
    reports_dir = config.digest.reports_dir
    path = reports_dir / archive.PREVIEW_NAME
    archive.write_text(path, full.html)
    if out is not None:
        archive.write_text(out, full.html)
    _refresh_archive(config, store, tz, now)
    return DigestOutcome("written", path=out or path, counts=content.counts)


def _send(config: Config, store: Store, tz: ZoneInfo, out: Path | None, start: datetime | None) -> DigestOutcome:
    _close_interrupted(store)
    now = utcnow()
    content = _collect(config, store, now, start)
    if out is not None:
        archive.write_text(out, render(content, tz).html)
    if content.is_empty and not config.digest.send_empty:
        log.info("digest: nothing new since %s, no mail sent", content.period_start or "the start")
        return DigestOutcome("empty", path=out, counts=content.counts)
    digest_id = _open_digest(store, content)
    path = archive.report_path(config.digest.reports_dir, digest_id, now, tz)
    link = archive.report_link(path, config.digest.public_url)
    try:
        archive.write_text(path, render(content, tz).html)
        msg_id = message_id(config.email, digest_id)
        fitted = render_fitting(
            content, tz, max_bytes=config.digest.max_bytes, report_link=link,
            measure=lambda r: message_size(_message(config, r, msg_id)),
        )
        accepted = deliver(config.email, _message(config, fitted, msg_id))
    except DeliveryError as exc:
        _close_digest(store, digest_id, DigestState.FAILED, error=str(exc))
        _discard(path)
        log.error("digest %d not sent, its %d articles stay pending: %s", digest_id, len(content.article_ids), exc)
        return DigestOutcome("failed", counts=content.counts, error=str(exc), digest_id=digest_id)
    except OSError as exc:
        error = f"cannot write the report {exc.filename or path}: {exc.strerror or exc}"
        _close_digest(store, digest_id, DigestState.FAILED, error=error)
        _discard(path)
        log.error("digest %d not sent: %s", digest_id, error)
        return DigestOutcome("failed", counts=content.counts, error=error, digest_id=digest_id)
    except BaseException as exc:
        _close_digest(store, digest_id, DigestState.FAILED, error=f"{type(exc).__name__}: {exc}")
        _discard(path)
        raise
    _mark_sent(store, digest_id, content, msg_id, path)
    log.info("digest %d sent to %s (%s)", digest_id, ", ".join(accepted), path)
    _refresh_archive(config, store, tz, now)
    problems = notify(config.notify, fitted.subject, _summary(content, link))
    return DigestOutcome("sent", path=path, counts=content.counts, recipients=accepted, digest_id=digest_id,
                         message_id=msg_id, cut=fitted.cut, notify_errors=problems)


def _discard(path: Path) -> None:
    """Remove the report of a digest that was not sent (it may never have been written)."""
    with suppress(OSError):
        path.unlink()


def _message(config: Config, rendered: Rendered, msg_id: str) -> EmailMessage:
    return build_message(config.email, rendered.subject, rendered.text, rendered.html, msg_id)


def _summary(content: DigestContent, link: str) -> str:
    c = content.counts
    return (f"新项目 {c['projects']} · 新政策 {c['policies']} · 其他 {c['others']} · "
            f"变更 {c['revisions'] + c['republished']}\n{link}")


def _refresh_archive(config: Config, store: Store, tz: ZoneInfo, now: datetime) -> None:
    archive.write_index(store, config.digest.reports_dir, tz)
    archive.write_feed(store, config.digest.reports_dir, config.digest.public_url, now)


def _close_interrupted(store: Store) -> None:
    """A digest left `sending` by a crash: whether it went out is unknown, so its items go out again."""
    stale = store.close_interrupted_digests()
    if stale:
        log.warning("%d digest run(s) stopped while sending; their items go into this digest", stale)


def _open_digest(store: Store, content: DigestContent) -> int:
    return store.open_digest(content.period_start, content.period_end, content.counts)


def _close_digest(store: Store, digest_id: int, status: DigestState, error: str | None = None) -> None:
    store.close_digest(digest_id, status, error)


def _mark_sent(store: Store, digest_id: int, content: DigestContent, msg_id: str, path: Path) -> None:
    """In one transaction: the digest is sent, and every item it carried belongs to it."""
    store.mark_digest_sent(digest_id, msg_id, str(path), content.article_ids, content.revision_ids)
