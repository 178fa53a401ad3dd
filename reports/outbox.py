"""The outbox: a message is stored whole before its first attempt, and every retry sends those same bytes.

Each recipient has its own state (`DeliveryState`). A recipient is `sent` once the server answered 250 to
DATA; a crash, hang-up or timeout after DATA leaves it `unknown`, and it gets the same message again (same
Message-ID, so a mail client that has it already drops the copy). A message is delivered when every
recipient has it; a digest's items count as delivered then, and not before.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.message import EmailMessage

from sqlalchemy.exc import SQLAlchemyError

from portalwatch.config import Config, EmailSettings
from portalwatch.storage import DeliveryState, ItemKind, MessageKind, Store
from reports.mail import (
    DeliveryError,
    build_message,
    envelope_sender,
    new_message_id,
    recipients,
    send_stored,
    wire_bytes,
)

log = logging.getLogger(__name__)


@dataclass
class Delivery:
    """Where one stored message stands after an attempt."""

    server: str  # "SMTP host:port"
    outbox_id: int
    message_id: str
    subject: str
    digest_id: int | None
    states: dict[str, DeliveryState] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    problem: str | None = None  # the attempt could not be made or not be recorded
    attempted: list[str] = field(default_factory=list)  # the recipients this attempt was for

    @property
    def done(self) -> bool:
        return bool(self.states) and all(s is DeliveryState.SENT for s in self.states.values())

    @property
    def sent_to(self) -> list[str]:
        return [a for a, s in self.states.items() if s is DeliveryState.SENT]

    @property
    def sent_now(self) -> list[str]:
        """The recipients this attempt delivered to."""
        return [a for a in self.attempted if self.states.get(a) is DeliveryState.SENT]

    def summary(self) -> str:
        """One line: the server, then who does not have it yet (grouped by state and reason)."""
        groups: dict[tuple[str, str], list[str]] = {}
        for address, state in self.states.items():
            if state is not DeliveryState.SENT:
                reason = self.errors.get(address) or "no answer recorded"
                groups.setdefault((state.value, reason), []).append(address)
        parts = [f"{', '.join(who)}: {state} ({reason})" for (state, reason), who in groups.items()]
        if self.problem and not any(self.problem == reason for _state, reason in groups):
            parts.insert(0, self.problem)
        return f"{self.server}: " + "; ".join(parts)


def queue(store: Store, settings: EmailSettings, msg: EmailMessage, kind: MessageKind, *,
          to: list[str] | None = None, digest_id: int | None = None,
          items: dict[ItemKind, list[int]] | None = None) -> int:
    """Store `msg` whole (with its Message-ID) for the bare addresses of `to` (default `email.to`)."""
    rcpts = recipients(settings, to)
    if not rcpts:
        raise DeliveryError(settings.smtp_host, settings.smtp_port, "the message names no recipient")
    return store.queue_message(
        message_id=msg["Message-ID"], kind=kind, subject=str(msg["Subject"]), sender=envelope_sender(settings),
        raw=wire_bytes(msg), recipients=rcpts, digest_id=digest_id, items=items,
    )


def attempt(store: Store, settings: EmailSettings, message: Mapping) -> Delivery:
    """One SMTP dialogue for every recipient of `message` (an outbox row) that does not have it yet."""
    outbox_id = message["id"]
    delivery = Delivery(f"SMTP {settings.smtp_host}:{settings.smtp_port}", outbox_id, message["message_id"],
                        message["subject"], message["digest_id"])
    waiting = [r["address"] for r in store.message_recipients(outbox_id) if r["state"] != DeliveryState.SENT]
    delivery.attempted = waiting

    def record(addresses: list[str], state: DeliveryState, error: str | None) -> None:
        store.set_delivery_state(outbox_id, addresses, state, error, attempt=state is not DeliveryState.SENT)

    if waiting:
        try:
            send_stored(settings, message["sender"], message["raw"], waiting, record)
        except DeliveryError as exc:
            delivery.problem = exc.reason
        except SQLAlchemyError as exc:
            delivery.problem = (f"the delivery state could not be recorded ({_db_reason(exc)}): whoever the server "
                                f"took it for stays unknown and gets the same message again")
    for row in store.message_recipients(outbox_id):
        delivery.states[row["address"]] = DeliveryState(row["state"])
        if row["error"]:
            delivery.errors[row["address"]] = row["error"]
    if delivery.digest_id is not None and not delivery.done:
        _note(store, delivery)
    _log(delivery)
    return delivery


def flush(store: Store, settings: EmailSettings) -> list[Delivery]:
    """Try again every stored message some recipient has not got: the same bytes, the same Message-ID."""
    return [attempt(store, settings, row) for row in store.undelivered_messages()]


def send(config: Config, subject: str, text: str, *, to: list[str] | None = None,
         kind: MessageKind = MessageKind.ALERT) -> Delivery:
    """Store and send a short plain-text mail (an alert, say) to `to` (default `email.to`) through the outbox."""
    store = Store(config.database)
    msg = build_message(config.email, subject, text, None, new_message_id(config.email, kind.value), to=to)
    outbox_id = queue(store, config.email, msg, kind, to=to)
    return attempt(store, config.email, store.outbox_message(outbox_id))


def _note(store: Store, delivery: Delivery) -> None:
    try:
        store.note_digest_error(delivery.digest_id, delivery.summary())
    except SQLAlchemyError as exc:
        log.error("digest %d: cannot record why it is not delivered: %s", delivery.digest_id, _db_reason(exc))


def _log(delivery: Delivery) -> None:
    where = delivery.server
    if delivery.sent_now:
        log.info("%s: message %s (%s) delivered to %s", where, delivery.outbox_id, delivery.message_id,
                 ", ".join(delivery.sent_now))
    if not delivery.done:
        log.warning("%s: message %s (%s) not yet delivered: %s", where, delivery.outbox_id, delivery.message_id,
                    delivery.summary())


def _db_reason(exc: SQLAlchemyError) -> str:
    return str(getattr(exc, "orig", None) or exc).splitlines()[0]
