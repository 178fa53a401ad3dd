"""STARTTLS, SSL and login against aiosmtpd on 127.0.0.1 with a certificate made in the test."""

from __future__ import annotations

import pytest
from digest_samples import make_config, prepare_week, store_week, with_email
from smtp_server import Authenticator, make_certificate, server_context, smtp_server

from portalwatch.config import EmailSettings
from portalwatch.storage import Store
from reports.digest import run_digest
from reports.mail import transport

PASSWORD = "s3cret-Passw0rd!"


@pytest.mark.parametrize(("port", "overrides", "expected"), [
    (465, {}, "ssl"),
    (587, {}, "starttls"),
    (25, {}, "plain"),
    (2525, {}, "plain"),
    (465, {"ssl": False}, "plain"),
    (465, {"ssl": False, "starttls": True}, "starttls"),
    (587, {"starttls": False}, "plain"),
    (2525, {"ssl": True}, "ssl"),
    (25, {"starttls": True}, "starttls"),
])
def test_port_chooses_the_transport_unless_overridden(port, overrides, expected):
    assert transport(EmailSettings(smtp_port=port, **overrides)) == expected


@pytest.fixture
def cert(tmp_path):
    return make_certificate(tmp_path)


@pytest.fixture
def credentials(monkeypatch):
    monkeypatch.setenv("PW_USER", "digest")
    monkeypatch.setenv("PW_PASS", PASSWORD)


def secured(config, **changes):
    return with_email(config, username_env="PW_USER", password_env="PW_PASS", **changes)


def test_starttls_with_login_delivers(tmp_path, cert, credentials, monkeypatch):
    monkeypatch.setenv("SSL_CERT_FILE", str(cert[0]))
    server = smtp_server(tls_context=server_context(*cert), require_starttls=True,
                         authenticator=Authenticator("digest", PASSWORD))
    with smtp_server() as (plain_port, _), server as (port, recorder):
        config, _store = prepare_week(tmp_path, plain_port)
        outcome = run_digest(secured(config, smtp_port=port, starttls=True))
    assert outcome.status == "sent", outcome.error
    assert recorder.received[0].login == "digest"
    assert "新项目 3" in recorder.received[0].message["Subject"]


def test_ssl_with_login_delivers(tmp_path, cert, credentials, monkeypatch):
    monkeypatch.setenv("SSL_CERT_FILE", str(cert[0]))
    # aiosmtpd cannot tell that an implicit-TLS connection is encrypted, so it is told not to insist
    server = smtp_server(ssl_context=server_context(*cert), authenticator=Authenticator("digest", PASSWORD),
                         auth_require_tls=False)
    with server as (port, recorder):
        config = secured(make_config(tmp_path, port), ssl=True)
        store_week(Store(config.database))
        outcome = run_digest(config)
    assert outcome.status == "sent", outcome.error
    assert recorder.received[0].login == "digest"


def test_untrusted_certificate_is_a_failure_and_keeps_articles(tmp_path, cert, credentials, monkeypatch):
    monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "no-such-ca.pem"))
    server = smtp_server(tls_context=server_context(*cert), require_starttls=True,
                         authenticator=Authenticator("digest", PASSWORD))
    with smtp_server() as (plain_port, plain), server as (port, recorder):
        config, _store = prepare_week(tmp_path, plain_port)
        failed = run_digest(secured(config, smtp_port=port, starttls=True))
        assert failed.status == "failed"
        assert "starttls" in failed.error and "CERTIFICATE_VERIFY_FAILED" in failed.error
        assert PASSWORD not in failed.error
        assert recorder.received == []
        retry = run_digest(config)
        assert retry.status == "resent"
        assert len(plain.received) == 2
        assert plain.received[-1].message["Message-ID"] == failed.message_id
