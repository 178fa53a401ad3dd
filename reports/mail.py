"""SMTP delivery of a digest: SSL, STARTTLS or plain by port (each overridable), credentials from the environment."""

from __future__ import annotations

import logging
import os
import smtplib
import ssl
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import formatdate, getaddresses, make_msgid, parseaddr
from typing import Literal

from portalwatch.config import EmailSettings

log = logging.getLogger(__name__)

Transport = Literal["ssl", "starttls", "plain"]


class DeliveryError(Exception):
    """The server did not take the message; the text names host, port and reason, never a secret."""

    def __init__(self, host: str | None, port: int, reason: str) -> None:
        self.host, self.port, self.reason = host, port, reason
        super().__init__(f"SMTP {host}:{port}: {reason}" if host else reason)


def transport(settings: EmailSettings) -> Transport:
    """SSL on port 465, STARTTLS on 587, plain elsewhere; `ssl` / `starttls` in the config override."""
    use_ssl = settings.ssl if settings.ssl is not None else settings.smtp_port == 465
    if use_ssl:
        return "ssl"
    use_starttls = settings.starttls if settings.starttls is not None else settings.smtp_port == 587
    return "starttls" if use_starttls else "plain"


def message_id(settings: EmailSettings, digest_id: int) -> str:
    """A Message-ID on the sender's domain, unique per digest."""
    domain = parseaddr(settings.from_)[1].rpartition("@")[2] or "portalwatch.localhost"
    return make_msgid(idstring=f"digest-{digest_id}", domain=domain)


def build_message(settings: EmailSettings, subject: str, text: str, html: str, msg_id: str) -> EmailMessage:
    """multipart/alternative (text, then HTML), UTF-8 headers encoded for any mail client."""
    msg = EmailMessage()
    msg["Subject"] = subject
    msg["From"] = settings.from_
    msg["To"] = ", ".join(settings.to)
    msg["Date"] = formatdate(localtime=True)
    msg["Message-ID"] = msg_id
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(text, subtype="plain", charset="utf-8")
    msg.add_alternative(html, subtype="html", charset="utf-8")
    return msg


def message_size(msg: EmailMessage) -> int:
    """Bytes on the wire."""
    return len(msg.as_bytes(policy=SMTP))


def recipients(settings: EmailSettings) -> list[str]:
    """The bare addresses of `to`, for the SMTP envelope."""
    return [addr for _name, addr in getaddresses(settings.to) if addr]


def _credentials(settings: EmailSettings) -> tuple[str, str] | None:
    names = [n for n in (settings.username_env, settings.password_env) if n]
    if not names:
        return None
    missing = [n for n in names if not os.environ.get(n)]
    if missing:
        raise DeliveryError(settings.smtp_host, settings.smtp_port,
                            f"environment variable {', '.join(missing)} is not set (email credentials)")
    user = os.environ.get(settings.username_env or "", "")
    return user, os.environ.get(settings.password_env or "", "")


def _connect(settings: EmailSettings, mode: Transport) -> smtplib.SMTP:
    host, port, timeout = settings.smtp_host or "", settings.smtp_port, settings.timeout
    if mode == "ssl":
        return smtplib.SMTP_SSL(host, port, timeout=timeout, context=ssl.create_default_context())
    client = smtplib.SMTP(host, port, timeout=timeout)
    if mode == "starttls":
        try:
            client.starttls(context=ssl.create_default_context())
        except BaseException:
            client.close()
            raise
    return client


def _reason(exc: BaseException) -> str:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        refused = "; ".join(f"{rcpt}: {code} {_text(msg)}" for rcpt, (code, msg) in exc.recipients.items())
        return f"every recipient was refused ({refused})"
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"server answered {exc.smtp_code} {_text(exc.smtp_error)}"
    if isinstance(exc, TimeoutError):
        return "timed out waiting for the server"
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return f"connection closed by the server ({exc})" if str(exc) else "connection closed by the server"
    return f"{type(exc).__name__}: {exc}"


def _text(raw: bytes | str) -> str:
    return raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)


def deliver(settings: EmailSettings, msg: EmailMessage) -> list[str]:
    """Send `msg` to every address of `settings.to`; return those the server accepted, or raise DeliveryError."""
    if not settings.smtp_host:
        raise DeliveryError(None, settings.smtp_port, "email.smtp_host is not set in the config")
    rcpts = recipients(settings)
    if not rcpts:
        raise DeliveryError(settings.smtp_host, settings.smtp_port, "email.to names no recipient")
    sender = parseaddr(settings.from_)[1] or settings.from_
    credentials = _credentials(settings)
    mode = transport(settings)
    try:
        client = _connect(settings, mode)
    except (OSError, smtplib.SMTPException) as exc:
        reason = f"{mode} connection failed: {_reason(exc)}"
        raise DeliveryError(settings.smtp_host, settings.smtp_port, reason) from None
    try:
        if credentials:
            client.login(*credentials)
        refused = client.send_message(msg, from_addr=sender, to_addrs=rcpts)
    except (OSError, smtplib.SMTPException) as exc:
        client.close()
        raise DeliveryError(settings.smtp_host, settings.smtp_port, _reason(exc)) from None
    _quit(client)
    for rcpt, (code, text) in refused.items():
        log.warning("SMTP %s:%s refused recipient %s: %s %s", settings.smtp_host, settings.smtp_port, rcpt, code,
                    _text(text))
    return [r for r in rcpts if r not in refused]


def _quit(client: smtplib.SMTP) -> None:
    """Say goodbye; the message is already accepted, so a failure here changes nothing."""
    try:
        client.quit()
    except (OSError, smtplib.SMTPException):
        client.close()

