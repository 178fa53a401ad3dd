"""SMTP delivery: SSL, STARTTLS or plain by port (each overridable), credentials from the environment.

The dialogue is driven step by step (MAIL, RCPT, DATA) rather than through `sendmail`, so that each
recipient's fate is recorded the moment the server states it: above all the 250 for DATA, before QUIT.
"""

from __future__ import annotations

import base64
import binascii
import logging
import os
import re
import smtplib
import ssl
from collections.abc import Callable, Iterable
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import formatdate, getaddresses, make_msgid, parseaddr
from typing import Literal

from portalwatch.config import EmailSettings
from portalwatch.storage import DeliveryState

log = logging.getLogger(__name__)

Transport = Literal["ssl", "starttls", "plain"]
Record = Callable[[list[str], DeliveryState, str | None], None]
REDACTED = "[redacted]"
_AUTH_ARGUMENT = re.compile(r"(?i)\b(AUTH(?:ENTICATE)?\s+[A-Z0-9_-]+)\s+\S+")
_BASE64_TOKEN = re.compile(r"[A-Za-z0-9+/]{8,}={0,2}")
_SHORTEST_SECRET = 4  # a shorter password is blotted out only as a word of its own (not inside other words)


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
    return new_message_id(settings, f"digest-{digest_id}")


def new_message_id(settings: EmailSettings, idstring: str) -> str:
    """A fresh Message-ID on the sender's domain, `idstring` in it for a human reader."""
    domain = parseaddr(settings.from_)[1].rpartition("@")[2] or "portalwatch.localhost"
    return make_msgid(idstring=idstring, domain=domain)


def build_message(settings: EmailSettings, subject: str, text: str, html: str | None, msg_id: str,
                  to: list[str] | None = None) -> EmailMessage:
    """multipart/alternative (text, then HTML) to `to` (default `email.to`), UTF-8 headers for any mail client."""
    msg = EmailMessage()
    msg["Subject"] = subject
    msg["From"] = settings.from_
    msg["To"] = ", ".join(settings.to if to is None else to)
    msg["Date"] = formatdate(localtime=True)
    msg["Message-ID"] = msg_id
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(text, subtype="plain", charset="utf-8")
    if html is not None:
        msg.add_alternative(html, subtype="html", charset="utf-8")
    return msg


def wire_bytes(msg: EmailMessage) -> bytes:
    """The message as it goes on the wire (CRLF line ends): what the outbox stores and every retry sends."""
    return msg.as_bytes(policy=SMTP)


def message_size(msg: EmailMessage) -> int:
    """Bytes on the wire."""
    return len(wire_bytes(msg))


def recipients(settings: EmailSettings, to: list[str] | None = None) -> list[str]:
    """The bare addresses of `to` (default `email.to`), for the SMTP envelope."""
    return [addr for _name, addr in getaddresses(settings.to if to is None else to) if addr]


def envelope_sender(settings: EmailSettings) -> str:
    return parseaddr(settings.from_)[1] or settings.from_


class Scrubber:
    """Takes credentials out of server replies before anything logs or stores them.

    A server may echo what it was sent (`535 ... AUTH PLAIN AHVzZXIAcGFzcw==`): the argument of any AUTH
    command is blotted out, and so is the password and any base64 token that decodes to text holding it.
    """

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self.secrets = [s for s in secrets if s]

    @classmethod
    def for_credentials(cls, credentials: tuple[str, str] | None) -> Scrubber:
        return cls([credentials[1]] if credentials else [])

    def __call__(self, text: str) -> str:
        text = _AUTH_ARGUMENT.sub(rf"\1 {REDACTED}", text)
        for secret in self.secrets:
            if len(secret) >= _SHORTEST_SECRET:
                text = text.replace(secret, REDACTED)
            else:  # a short one only where it stands as a word of its own
                text = re.sub(rf"(?<!\w){re.escape(secret)}(?!\w)", REDACTED, text)
        return _BASE64_TOKEN.sub(self._token, text) if self.secrets else text

    def _token(self, match: re.Match) -> str:
        token = match.group(0)
        plain = _decoded(token)
        return REDACTED if any(secret in plain or (plain in secret and len(plain) >= _SHORTEST_SECRET)
                               for secret in self.secrets) else token


def _decoded(token: str) -> str:
    """What a base64-looking token decodes to (its longest decodable prefix), or "" when it is not base64."""
    body = token.rstrip("=")
    body = body[: len(body) - (len(body) % 4 == 1)]
    try:
        return base64.b64decode(body + "=" * (-len(body) % 4)).decode("utf-8", "replace")
    except (binascii.Error, ValueError):
        return ""


def credentials(settings: EmailSettings) -> tuple[str, str] | None:
    """(user, password) from the environment variables the config names, or None when it names none."""
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
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"server answered {exc.smtp_code} {_text(exc.smtp_error)}"
    if isinstance(exc, TimeoutError):
        return "timed out waiting for the server"
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return f"connection closed by the server ({exc})" if str(exc) else "connection closed by the server"
    return f"{type(exc).__name__}: {exc}"


def _text(raw: bytes | str) -> str:
    return raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)


def _answer(code: int, reply: bytes | str) -> str:
    return f"server answered {code} {_text(reply)}".strip()


def _refused(code: int) -> DeliveryState:
    """A 5xx refuses for good (this time); anything else is the server asking to try later."""
    return DeliveryState.FAILED if 500 <= code < 600 else DeliveryState.PENDING


def check_login_transport(settings: EmailSettings, login: bool) -> None:
    """Refuse, in one line, to send a password over plain TCP unless `email.allow_plaintext_login` says so."""
    if login and transport(settings) == "plain" and not settings.allow_plaintext_login:
        raise DeliveryError(settings.smtp_host, settings.smtp_port,
                            "refusing to log in over plain TCP: set email.starttls or email.ssl "
                            "(or email.allow_plaintext_login: true to send the password unencrypted)")


def open_session(settings: EmailSettings, scrub: Scrubber) -> smtplib.SMTP:
    """Connect, greet, and log in when the config names credentials; DeliveryError (scrubbed) otherwise."""
    if not settings.smtp_host:
        raise DeliveryError(None, settings.smtp_port, "email.smtp_host is not set in the config")
    login = credentials(settings)
    scrub.secrets = Scrubber.for_credentials(login).secrets
    check_login_transport(settings, login is not None)
    mode = transport(settings)
    try:
        client = _connect(settings, mode)
    except (OSError, smtplib.SMTPException) as exc:
        raise DeliveryError(settings.smtp_host, settings.smtp_port,
                            f"{mode} connection failed: {scrub(_reason(exc))}") from None
    try:
        client.ehlo_or_helo_if_needed()
        if login:
            client.login(*login)
    except (OSError, smtplib.SMTPException) as exc:
        client.close()
        raise DeliveryError(settings.smtp_host, settings.smtp_port, scrub(_reason(exc))) from None
    return client


def send_stored(settings: EmailSettings, sender: str, raw: bytes, rcpts: list[str], record: Record) -> None:
    """One SMTP dialogue for a stored message; `record` gets each recipient's state as soon as it is known.

    A recipient accepted at RCPT is recorded `unknown` before DATA and `sent` on the 250 for DATA (before
    QUIT). A failure before DATA leaves recipients `pending`; after DATA began, `unknown`. A failure that
    keeps the whole attempt from starting (no connection, login refused) raises DeliveryError as well.
    """
    scrub = Scrubber()
    try:
        client = open_session(settings, scrub)
    except DeliveryError as exc:
        record(rcpts, DeliveryState.PENDING, exc.reason)
        raise
    try:
        _dialogue(client, sender, raw, rcpts, record, scrub)
    except BaseException:
        client.close()
        raise


def _dialogue(client: smtplib.SMTP, sender: str, raw: bytes, rcpts: list[str], record: Record,
              scrub: Scrubber) -> None:
    waiting, accepted, after_data = list(rcpts), [], False
    try:
        code, reply = client.mail(sender)
        if code != 250:
            record(waiting, _refused(code), scrub(_answer(code, reply)))
            return _quit(client)
        for rcpt in rcpts:
            code, reply = client.rcpt(rcpt)
            waiting.remove(rcpt)
            if code in (250, 251):
                accepted.append(rcpt)
            else:
                record([rcpt], _refused(code), scrub(_answer(code, reply)))
        if not accepted:
            return _quit(client)
        record(accepted, DeliveryState.UNKNOWN, "sent past DATA; no answer from the server recorded yet")
        after_data = True
        code, reply = client.data(raw)
    except smtplib.SMTPDataError as exc:  # DATA itself was refused (no 354): the message was not taken
        record(accepted, _refused(exc.smtp_code), scrub(_reason(exc)))
        return _quit(client)
    except (OSError, smtplib.SMTPException) as exc:
        reason = scrub(_reason(exc))
        if after_data:
            record(accepted, DeliveryState.UNKNOWN, f"{reason} after DATA: the server may have taken it")
        else:
            waiting += accepted
        if waiting:
            record(waiting, DeliveryState.PENDING, reason)
        client.close()
        return None
    if code == 250:
        record(accepted, DeliveryState.SENT, None)
    else:
        record(accepted, _refused(code), scrub(_answer(code, reply)))
    return _quit(client)


def _quit(client: smtplib.SMTP) -> None:
    """Say goodbye; what the server took is recorded already, so a failure here changes nothing."""
    try:
        client.quit()
    except (OSError, smtplib.SMTPException):
        client.close()
