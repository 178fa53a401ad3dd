"""Credentials stay secret: no login over plain TCP unless allowed, and a server that echoes what it was sent in
AUTH gets its echo scrubbed before anything logs or stores it (logs, output, database, reports folder)."""

from __future__ import annotations

import base64
import logging
import re

import pytest
from digest_samples import prepare_week
from smtp_server import make_certificate, server_context, smtp_server

from portalwatch.cli import main
from reports.mail import Scrubber

USER = "digest-bot"
PASSWORD = "Canary-7f3#pass"


class EchoAuth:
    """Refuses every login, quoting back whatever the client sent (PLAIN's token, LOGIN's two lines)."""

    def __init__(self) -> None:
        self.attempts: list[str] = []

    async def handle_AUTH(self, server, session, envelope, args):
        self.attempts.append(args[0])
        if args[0].upper() == "LOGIN":
            sent = list(args[1:])
            if not sent:
                await server.push("334 VXNlcm5hbWU6")
                sent.append((await server._reader.readline()).decode().strip())
            await server.push("334 UGFzc3dvcmQ6")
            sent.append((await server._reader.readline()).decode().strip())
            return f"535 5.7.8 rejected AUTH LOGIN {' '.join(sent)}"
        return f"535 5.7.8 rejected: AUTH {' '.join(args)} (password {PASSWORD!s} is wrong)"

    async def handle_DATA(self, server, session, envelope):
        return "250 OK"


def secret_forms() -> list[bytes]:
    """The password as text and in every base64 form a client sends it in."""
    forms = [PASSWORD, f"\0{USER}\0{PASSWORD}", f"{USER}\0{PASSWORD}"]
    return [PASSWORD.encode()] + [base64.b64encode(f.encode()) for f in forms]


def leaks(blob: bytes) -> list[str]:
    """Where the password shows in `blob`: as text, as one of its base64 forms, or in any token that decodes to it."""
    found = [form.decode() for form in secret_forms() if form in blob]
    for token in re.findall(rb"[A-Za-z0-9+/]{8,}", blob):
        for start in range(4):  # a token may hold the password's encoding from any offset
            body = token[start:][: (len(token) - start) // 4 * 4]
            if PASSWORD.encode() in base64.b64decode(body):
                found.append(token.decode())
    return found


def everything_written(tmp_path) -> bytes:
    """Every file under the test's folder: config, SQLite database and WAL, reports."""
    return b"".join(path.read_bytes() for path in sorted(tmp_path.rglob("*")) if path.is_file())


@pytest.fixture
def credentials(monkeypatch):
    monkeypatch.setenv("PW_USER", USER)
    monkeypatch.setenv("PW_PASS", PASSWORD)


def config_with(tmp_path, port: int, *lines: str):
    with smtp_server() as (plain_port, _):
        config, _store = prepare_week(tmp_path, plain_port)
    text = config.source.read_text(encoding="utf-8").replace(f"smtp_port: {plain_port}", f"smtp_port: {port}")
    extra = "".join(f"\n  {line}" for line in ("username_env: PW_USER", "password_env: PW_PASS", *lines))
    config.source.write_text(text.replace("  timeout: 3", "  timeout: 3" + extra), encoding="utf-8")
    return config.source


def run_cli(config_path, capsys, caplog) -> tuple[int, bytes]:
    with caplog.at_level(logging.DEBUG):
        code = main(["-v", "-c", str(config_path), "digest"])
        main(["-c", str(config_path), "outbox"])
    out = capsys.readouterr()
    return code, (out.out + out.err + caplog.text).encode()


def test_starttls_login_echoed_by_the_server_leaves_no_trace_of_the_password(tmp_path, credentials, monkeypatch,
                                                                            capsys, caplog):
    cert = make_certificate(tmp_path)
    monkeypatch.setenv("SSL_CERT_FILE", str(cert[0]))
    echo = EchoAuth()
    with smtp_server(echo, tls_context=server_context(*cert), require_starttls=True) as (port, _):
        config_path = config_with(tmp_path, port, "starttls: true")
        code, output = run_cli(config_path, capsys, caplog)
    assert code == 1
    assert echo.attempts  # the server did get a login, and echoed it
    assert "535" in output.decode()
    assert leaks(output) == []
    assert leaks(everything_written(tmp_path)) == []


def test_plaintext_login_when_allowed_is_scrubbed_too(tmp_path, credentials, capsys, caplog):
    echo = EchoAuth()
    with smtp_server(echo, auth_require_tls=False) as (port, _):
        config_path = config_with(tmp_path, port, "allow_plaintext_login: true")
        code, output = run_cli(config_path, capsys, caplog)
    assert code == 1
    assert sorted(echo.attempts) == ["LOGIN", "PLAIN"]  # smtplib tried both; each echo was scrubbed
    assert "rejected AUTH LOGIN [redacted]" in output.decode()
    assert leaks(output) == []
    assert leaks(everything_written(tmp_path)) == []


def test_plaintext_login_is_refused_in_one_line_before_connecting(tmp_path, credentials, capsys):
    echo = EchoAuth()
    with smtp_server(echo, auth_require_tls=False) as (port, _):
        config_path = config_with(tmp_path, port)
        code = main(["-c", str(config_path), "digest"])
    err = capsys.readouterr().err
    assert code == 1
    assert echo.attempts == []
    assert f"127.0.0.1:{port}" in err and "refusing to log in over plain TCP" in err
    assert "email.allow_plaintext_login" in err


def test_scrubber_blots_out_auth_arguments_and_encoded_passwords():
    scrub = Scrubber([PASSWORD])
    token = base64.b64encode(f"\0{USER}\0{PASSWORD}".encode()).decode()
    assert scrub(f"535 no AUTH PLAIN {token}") == "535 no AUTH PLAIN [redacted]"
    assert scrub(f"535 bad {base64.b64encode(PASSWORD.encode()).decode()} here") == "535 bad [redacted] here"
    assert scrub(f"535 bad password {PASSWORD}") == "535 bad password [redacted]"
    assert scrub("550 5.1.1 <analyst@example.com>: mailbox unavailable") == (
        "550 5.1.1 <analyst@example.com>: mailbox unavailable")
