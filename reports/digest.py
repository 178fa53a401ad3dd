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

from apscheduler.triggers.cron import CronTrigger
from filelock import FileLock, Timeout
from sqlalchemy import RowMapping
from sqlalchemy.exc import SQLAlchemyError

from portalwatch.config import DEFAULT_SUBSCRIPTION, Config, Subscription, SubscriptionFilters
from portalwatch.storage import DigestState, MessageKind, Store, utcnow
from reports import archive, outbox
from reports.collect import DigestContent, as_utc, collect, collect_unsent
from reports.mail import DeliveryError, build_message, message_id, message_size
from reports.notify import notify, redact
from reports.outbox import Delivery
from reports.render import Rendered, render, render_fitting
from reports.subscriptions import carried, filtered, start_of

log = logging.getLogger(__name__)

DigestStatus = Literal["sent", "resent", "empty", "written", "failed", "busy"]  # busy: another run held the lock
WEEK = timedelta(days=7)
DUE_GRACE = timedelta(hours=12)  # a digest sent a little late last week is still due at this week's slot


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
    subscription: str = DEFAULT_SUBSCRIPTION
    parts: list[DigestOutcome] = field(default_factory=list)  # one per subscription when there were several


def last_sent_at(store: Store) -> datetime | None:
    """When the last digest was accepted by the mail server (UTC), or None if none ever was."""
    row = store.last_sent_digest()
    return as_utc(row["sent_at"] or row["period_end"]) if row else None


def digest_due(store: Store, now: datetime) -> bool:
    """A week or more (less a little grace) since the last sent digest, or never sent but something pending."""
    last = last_sent_at(store)
    if last is None:
        return store.has_pending()
    return as_utc(now) - last >= WEEK - DUE_GRACE


def subscription_due(config: Config, sub: Subscription, store: Store, now: datetime) -> bool:
    """Due when `sub`'s schedule (its own cron, else a week less a little grace) has come round since its last
    sent digest, or it never got one and something it wants is waiting."""
    row = store.last_sent_to(sub.name) or (store.last_sent_digest() if sub.name == DEFAULT_SUBSCRIPTION else None)
    if row is None:
        return not _collect(config, sub, store, now, None).is_empty
    last = as_utc(row["sent_at"] or row["period_end"])
    if sub.schedule:
        trigger = CronTrigger.from_crontab(sub.schedule, timezone=config.timezone)
        slot = trigger.get_next_fire_time(None, last)
        return slot is not None and slot <= as_utc(now)
    return as_utc(now) - last >= WEEK - DUE_GRACE


def due_subscriptions(config: Config, store: Store, now: datetime) -> list[Subscription]:
    """The subscriptions whose digest is due at `now`."""
    return [sub for sub in _subscriptions(config) if subscription_due(config, sub, store, now)]


def run_digest(config: Config, *, dry_run: bool = False, out: Path | None = None,
               since: date | None = None, subscription: str | None = None,
               default_schedule_only: bool = False) -> DigestOutcome:
    """Collect what is new, archive it, and mail it (unless `dry_run`); `out` gets a copy of the full HTML.

    Each subscription (`email.to` is one of everything) gets its own digest of what it wants and was not sent
    yet; `subscription` names one; `default_schedule_only` leaves out those with a schedule of their own. With
    several, the outcome sums theirs up and lists them in `parts`.
    """
    subs = [config.subscription(subscription)] if subscription else _subscriptions(config)
    if default_schedule_only:
        subs = [sub for sub in subs if not sub.schedule]
    if not subs:
        return DigestOutcome("empty")
    # stored messages some reader still lacks are sent again once, before the first subscription's digest
    outcomes = [_run_one(config, sub, dry_run=dry_run, out=out, since=since, flush=i == 0)
                for i, sub in enumerate(subs)]
    return outcomes[0] if len(outcomes) == 1 else _merged(outcomes)


def _subscriptions(config: Config) -> list[Subscription]:
    """Every subscription; with none configured, the subscription of `email.to` even when it is empty
    (a dry run still previews, a real run says no recipient is set)."""
    return config.all_subscriptions() or [Subscription.model_construct(
        name=DEFAULT_SUBSCRIPTION, recipients=[], filters=SubscriptionFilters(), schedule=None)]


def _run_one(config: Config, sub: Subscription, *, dry_run: bool, out: Path | None,
             since: date | None, flush: bool) -> DigestOutcome:
    store = Store(config.database)
    tz = ZoneInfo(config.timezone)
    start = datetime.combine(since, time.min, tzinfo=tz) if since else None
    if dry_run:
        try:
            outcome = _preview(config, sub, store, tz, out, start)
        except OSError as exc:
            error = f"cannot write {exc.filename or 'the report'}: {exc.strerror or exc}"
            outcome = DigestOutcome("failed", error=error)
        return _named(outcome, sub)
    try:
        with digest_lock(config):
            return _named(_send(config, sub, store, tz, out, start, flush=flush), sub)
    except Timeout:
        return _named(DigestOutcome("busy", error=f"{busy(config)}; nothing was sent or marked"), sub)


def digest_lock(config: Config) -> FileLock:
    """The lock of mailing on this install: a digest and a resend of stored mail never run at once.

    It waits `schedule.lock_wait_seconds`, then raises filelock's Timeout.
    """
    path = config.data_dir / "digest.lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    return FileLock(path, timeout=config.schedule.lock_wait_seconds)


def busy(config: Config) -> str:
    """What a run that found the digest lock held says."""
    return (f"another digest run held its lock (digest.lock) for {config.schedule.lock_wait_seconds:g} s "
            f"(schedule.lock_wait_seconds)")


def _named(outcome: DigestOutcome, sub: Subscription) -> DigestOutcome:
    outcome.subscription = sub.name
    return outcome


def resend_stored(config: Config) -> DigestOutcome:
    """Send again every stored message some recipient does not have yet; build no new digest."""
    store = Store(config.database)
    try:
        with digest_lock(config):
            retried = outbox.flush(store, config.email)
            if retried:
                _refresh_archive(config, store, ZoneInfo(config.timezone), utcnow())
    except Timeout:
        return DigestOutcome("busy", error=f"{busy(config)}; nothing was sent or marked")
    failures = _failures(retried)
    status: DigestStatus = "failed" if failures else "resent" if retried else "empty"
    return DigestOutcome(status, error=failures or None, retried=retried)


def drop_stored(config: Config, outbox_id: int) -> RowMapping | None:
    """Give up on stored message `outbox_id` (between digest runs): the message as it was, or None if unknown."""
    with digest_lock(config):
        return Store(config.database).drop_message(outbox_id)


def _merged(outcomes: list[DigestOutcome]) -> DigestOutcome:
    """One outcome for several subscriptions: failed if any failed, else busy if any found the lock held, else sent
    if any was sent."""
    statuses = [o.status for o in outcomes]
    status = next((s for s in ("failed", "busy", "sent", "written") if s in statuses), "empty")
    counts: dict[str, int] = {}
    for o in outcomes:
        for key, value in o.counts.items():
            counts[key] = counts.get(key, 0) + value
    errors = [f"{o.subscription}: {o.error}" for o in outcomes if o.error]
    return DigestOutcome(
        status, path=next((o.path for o in outcomes if o.path), None), counts=counts,
        error="; ".join(errors) or None, recipients=[r for o in outcomes for r in o.recipients],
        cut=any(o.cut for o in outcomes), notify_errors=[e for o in outcomes for e in o.notify_errors],
        parts=outcomes,
    )


def _collect(config: Config, sub: Subscription, store: Store, now: datetime,
             start: datetime | None) -> DigestContent:
    """What `sub` wants of what it was not sent yet (of everything first seen since `start`, when given)."""
    portals = [p.name for p in config.portals if p.enabled]
    if start is not None:
        content = collect(store, now, start, portals)
    else:
        content = collect_unsent(store, now, sub.name, start_of(store, sub, now), portals)
    content.portal_titles = {p.name: p.title for p in config.portals if p.title}
    return filtered(content, sub)


def _for(config: Config, sub: Subscription) -> Config:
    """`config` with the subscription's addresses as `email.to`, so mail goes out through the one send path."""
    return config.model_copy(update={"email": config.email.model_copy(update={"to": sub.emails})})


def _preview(config: Config, sub: Subscription, store: Store, tz: ZoneInfo, out: Path | None,
             start: datetime | None) -> DigestOutcome:
    """Render without sending or marking anything: `preview.html` in the reports folder, and `out`."""
    now = utcnow()
    content = _collect(config, sub, store, now, start)
    full = render(content, tz, subscription=_label(sub))
    reports_dir = config.digest.reports_dir
    name = archive.PREVIEW_NAME if sub.name == DEFAULT_SUBSCRIPTION else f"preview-{sub.name}.html"
    path = reports_dir / name
    archive.write_text(path, full.html)
    if out is not None:
        archive.write_text(out, full.html)
    _refresh_archive(config, store, tz, now)
    return DigestOutcome("written", path=out or path, counts=content.counts)


def _label(sub: Subscription) -> str | None:
    """The subscription's name as the digest shows it; none for the digest of everything."""
    return None if sub.name == DEFAULT_SUBSCRIPTION else sub.name


def _send(config: Config, sub: Subscription, store: Store, tz: ZoneInfo, out: Path | None,
          start: datetime | None, *, flush: bool = True) -> DigestOutcome:
    _close_interrupted(store)
    retried = outbox.flush(store, config.email) if flush else []
    now = utcnow()
    content = _collect(config, sub, store, now, start)
    label = _label(sub)
    if out is not None:
        archive.write_text(out, render(content, tz, subscription=label).html)
    if content.is_empty and not config.digest.send_empty:
        if retried:
            return _retry_outcome(config, store, tz, now, retried, content)
        log.info("digest %s: nothing new since %s, no mail sent", sub.name, content.period_start or "the start")
        return DigestOutcome("empty", path=out, counts=content.counts)
    digest_id = store.open_digest(content.period_start, content.period_end, content.counts, sub.name)
    path = archive.report_path(config.digest.reports_dir, digest_id, now, tz)
    # without public_url the reader cannot open a link to the archive: the full report goes along instead
    link = archive.report_link(path, config.digest.public_url) if config.digest.public_url else None
    mail_config = _for(config, sub)
    items = carried(content)
    try:
        full = render(content, tz, subscription=label).html
        archive.write_text(path, full)
        msg_id = message_id(mail_config.email, digest_id)
        fitted = render_fitting(
            content, tz, max_bytes=config.digest.max_bytes, report_link=link, subscription=label,
            measure=lambda r: message_size(_message(mail_config, r, msg_id)),
        )
        store.set_digest_path(digest_id, str(path))
        if sub.apprise_urls and not sub.emails:
            return _push_only(config, sub, store, tz, now, digest_id, content, fitted, link, path, retried)
        message = _message(mail_config, fitted, msg_id, attach=None if link else (path.name, full))
        outbox_id = outbox.queue(store, mail_config.email, message, MessageKind.DIGEST, digest_id=digest_id,
                                 items=items)
    except (DeliveryError, OSError, SQLAlchemyError) as exc:
        error = _store_error(exc, path)
        _forget(store, digest_id, path, error)
        log.error("digest %d not stored, its %d articles stay pending: %s", digest_id, len(content.article_ids),
                  error)
        return DigestOutcome("failed", counts=content.counts, error=error, digest_id=digest_id, retried=retried)
    except BaseException as exc:
        _forget(store, digest_id, path, f"{type(exc).__name__}: {exc}")
        raise
    delivery = outbox.attempt(store, mail_config.email, store.outbox_message(outbox_id))
    _refresh_archive(config, store, tz, now)
    outcome = DigestOutcome("sent", path=path, counts=content.counts, recipients=delivery.sent_to,
                            digest_id=digest_id, message_id=msg_id, cut=fitted.cut, retried=retried)
    failures = _failures([*retried, delivery])
    if failures:
        outcome.status, outcome.error = "failed", failures
        log.error("digest %d stored as message %d, not yet at every reader; the next run sends it again: %s",
                  digest_id, outbox_id, failures)
        return outcome
    log.info("digest %d (%s) sent to %s (%s)", digest_id, sub.name, ", ".join(delivery.sent_to), path)
    chat = config.notify if sub.name == DEFAULT_SUBSCRIPTION else []
    outcome.notify_errors = notify(sub.apprise_urls + chat, fitted.subject, _summary(content, link))
    return outcome


def _push_only(config: Config, sub: Subscription, store: Store, tz: ZoneInfo, now: datetime, digest_id: int,
               content: DigestContent, fitted: Rendered, link: str | None, path: Path,
               retried: list[Delivery]) -> DigestOutcome:
    """A subscription with apprise URLs and no address: its digest is delivered once a channel took it."""
    problems = notify(sub.apprise_urls, fitted.subject, _summary(content, link))
    if len(problems) == len(sub.apprise_urls):
        error = "every notification failed: " + "; ".join(problems)
        _forget(store, digest_id, path, error)
        return DigestOutcome("failed", counts=content.counts, error=error, digest_id=digest_id, retried=retried)
    store.deliver_digest(digest_id, carried(content))
    _refresh_archive(config, store, tz, now)
    reached = [redact(url) for url in sub.apprise_urls]
    return DigestOutcome("sent", path=path, counts=content.counts, recipients=reached, digest_id=digest_id,
                         cut=fitted.cut, notify_errors=problems, retried=retried)


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
        store.close_digest(digest_id, DigestState.FAILED, error=error)
    _discard(path)


def _discard(path: Path) -> None:
    """Remove the report of a digest that was not sent (it may never have been written)."""
    with suppress(OSError):
        path.unlink()


def _message(config: Config, rendered: Rendered, msg_id: str,
             attach: tuple[str, str] | None = None) -> EmailMessage:
    """The digest mail; `attach` (file name, HTML) adds the full report as an attachment."""
    msg = build_message(config.email, rendered.subject, rendered.text, rendered.html, msg_id)
    if attach is not None:
        name, html = attach
        msg.add_attachment(html, subtype="html", charset="utf-8", filename=name)
    return msg


def _summary(content: DigestContent, link: str | None) -> str:
    c = content.counts
    counts = (f"新项目 {c['projects']} · 新政策 {c['policies']} · 其他 {c['others']} · "
              f"变更 {c['revisions'] + c['republished']}")
    return f"{counts}\n{link}" if link else counts


def _refresh_archive(config: Config, store: Store, tz: ZoneInfo, now: datetime) -> None:
    """Rewrite the index and feed; a failure here loses no mail, so it is logged and the run goes on."""
    try:
        archive.write_index(store, config.digest.reports_dir, tz)
        archive.write_feed(store, config.digest.reports_dir, config.digest.public_url, now)
        titles = {p.name: p.title for p in config.portals if p.title}
        archive.write_projects(store, config.digest.reports_dir, titles, now, tz)
    except OSError as exc:
        log.error("cannot update the reports folder %s: %s", config.digest.reports_dir, exc.strerror or exc)


def _close_interrupted(store: Store) -> None:
    """A digest left `sending` by a crash: whether it went out is unknown, so its items go out again."""
    stale = store.close_interrupted_digests()
    if stale:
        log.warning("%d digest run(s) stopped while sending; their items go into this digest", stale)
