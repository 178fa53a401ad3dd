"""Make, archive and send the digest through the outbox; its articles count as sent once every reader has it."""

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
from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import SQLAlchemyError

from portalwatch.config import Config
from portalwatch.storage import ItemKind, MessageKind, Store, articles, digests, revisions, utcnow
from reports import archive, outbox
from reports.collect import DigestContent, as_utc, collect, last_sent
from reports.mail import DeliveryError, build_message, message_id, message_size
from reports.notify import notify
from reports.outbox import Delivery
from reports.render import Rendered, render, render_fitting

log = logging.getLogger(__name__)

DigestStatus = Literal["sent", "resent", "empty", "written", "failed"]
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
    retried: list[Delivery] = field(default_factory=list)  # stored messages sent again before this digest


def last_sent_at(store: Store) -> datetime | None:
    """When the last digest was accepted by the mail server (UTC), or None if none ever was."""
    row = last_sent(store)
    return as_utc(row["sent_at"] or row["period_end"]) if row else None


def has_pending(store: Store) -> bool:
    """True when some article or revision is in no sent digest yet."""
    with store.engine.connect() as conn:
        pending = conn.execute(select(func.count()).select_from(articles).where(articles.c.digest_id.is_(None)))
        if pending.scalar_one():
            return True
        pending = conn.execute(select(func.count()).select_from(revisions).where(revisions.c.digest_id.is_(None)))
        return bool(pending.scalar_one())


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


def resend_stored(config: Config) -> DigestOutcome:
    """Send again every stored message some recipient does not have yet; build no new digest."""
    store = Store(config.database)
    lock_path = config.data_dir / "digest.lock"
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with FileLock(lock_path, timeout=LOCK_WAIT):
            retried = outbox.flush(store, config.email)
            if retried:
                _refresh_archive(config, store, ZoneInfo(config.timezone), utcnow())
    except Timeout:
        return DigestOutcome("failed", error=f"another digest run is still going on (lock {lock_path.name} held)")
    failures = _failures(retried)
    status: DigestStatus = "failed" if failures else "resent" if retried else "empty"
    return DigestOutcome(status, error=failures or None, retried=retried)


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
    retried = outbox.flush(store, config.email)
    now = utcnow()
    content = _collect(config, store, now, start)
    if out is not None:
        archive.write_text(out, render(content, tz).html)
    if content.is_empty and not config.digest.send_empty:
        if retried:
            return _retry_outcome(config, store, tz, now, retried, content)
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
        _set_path(store, digest_id, path)
        items = {ItemKind.ARTICLE: content.article_ids, ItemKind.REVISION: content.revision_ids}
        outbox_id = outbox.queue(store, config.email, _message(config, fitted, msg_id), MessageKind.DIGEST,
                                 digest_id=digest_id, items=items)
    except (DeliveryError, OSError, SQLAlchemyError) as exc:
        error = _store_error(exc, path)
        _forget(store, digest_id, path, error)
        log.error("digest %d not stored, its %d articles stay pending: %s", digest_id, len(content.article_ids),
                  error)
        return DigestOutcome("failed", counts=content.counts, error=error, digest_id=digest_id, retried=retried)
    except BaseException as exc:
        _forget(store, digest_id, path, f"{type(exc).__name__}: {exc}")
        raise
    delivery = outbox.attempt(store, config.email, store.outbox_message(outbox_id))
    _refresh_archive(config, store, tz, now)
    outcome = DigestOutcome("sent", path=path, counts=content.counts, recipients=delivery.sent_to,
                            digest_id=digest_id, message_id=msg_id, cut=fitted.cut, retried=retried)
    failures = _failures([*retried, delivery])
    if failures:
        outcome.status, outcome.error = "failed", failures
        log.error("digest %d stored as message %d, not yet at every reader; the next run sends it again: %s",
                  digest_id, outbox_id, failures)
        return outcome
    log.info("digest %d sent to %s (%s)", digest_id, ", ".join(delivery.sent_to), path)
    outcome.notify_errors = notify(config.notify, fitted.subject, _summary(content, link))
    return outcome


def _retry_outcome(config: Config, store: Store, tz: ZoneInfo, now: datetime, retried: list[Delivery],
                   content: DigestContent) -> DigestOutcome:
    """Nothing new: the run only sent stored messages again."""
    _refresh_archive(config, store, tz, now)
    failures = _failures(retried)
    status: DigestStatus = "failed" if failures else "resent"
    return DigestOutcome(status, counts=content.counts, error=failures or None, retried=retried)


def _failures(deliveries: list[Delivery]) -> str:
    """One line naming each stored message that some recipient does not have yet, and why."""
    return "; ".join(f"message {d.outbox_id} {d.message_id}: {d.summary()}" for d in deliveries if not d.done)


def _store_error(exc: BaseException, path: Path) -> str:
    if isinstance(exc, OSError):
        return f"cannot write the report {exc.filename or path}: {exc.strerror or exc}"
    if isinstance(exc, SQLAlchemyError):
        return f"cannot store the digest: {str(getattr(exc, 'orig', None) or exc).splitlines()[0]}"
    return str(exc)


def _forget(store: Store, digest_id: int, path: Path, error: str) -> None:
    """A digest that could not be stored whole: nothing was sent, its items stay pending."""
    with suppress(SQLAlchemyError):
        _close_digest(store, digest_id, "failed", error=error)
    _discard(path)


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
    """Rewrite the index and feed; a failure here loses no mail, so it is logged and the run goes on."""
    try:
        archive.write_index(store, config.digest.reports_dir, tz)
        archive.write_feed(store, config.digest.reports_dir, config.digest.public_url, now)
    except OSError as exc:
        log.error("cannot update the reports folder %s: %s", config.digest.reports_dir, exc.strerror or exc)


def _close_interrupted(store: Store) -> None:
    """A digest left `sending` by a crash: whether it went out is unknown, so its items go out again."""
    with store.transaction() as conn:
        stale = conn.execute(update(digests).where(digests.c.status == "sending").values(
            status="interrupted", error="the run stopped while sending; its items were kept pending"))
    if stale.rowcount:
        log.warning("%d digest run(s) stopped while sending; their items go into this digest", stale.rowcount)


def _open_digest(store: Store, content: DigestContent) -> int:
    with store.transaction() as conn:
        return conn.execute(insert(digests).values(
            created_at=utcnow(), period_start=content.period_start, period_end=content.period_end,
            status="sending", counts=content.counts,
        )).inserted_primary_key[0]


def _close_digest(store: Store, digest_id: int, status: str, error: str | None = None) -> None:
    with store.transaction() as conn:
        conn.execute(update(digests).where(digests.c.id == digest_id).values(status=status, error=error))


def _set_path(store: Store, digest_id: int, path: Path) -> None:
    with store.transaction() as conn:
        conn.execute(update(digests).where(digests.c.id == digest_id).values(path=str(path)))
