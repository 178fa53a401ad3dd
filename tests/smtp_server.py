"""Real SMTP servers on 127.0.0.1 for the digest tests: aiosmtpd (plain, STARTTLS, SSL, AUTH, refusing) and two
raw sockets that misbehave (one drops the connection at DATA, one never answers)."""

from __future__ import annotations

import datetime as dt
import email
import ipaddress
import logging
import socket
import ssl
import threading
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.policy import default
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

HOST = "127.0.0.1"
logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every line at INFO and DEBUG


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


@contextmanager
def refused_ports(*ports: int) -> Iterator[list[int]]:
    """Ports on 127.0.0.1 bound with no listener (the given ones, or new ones for 0): a connection is refused, and
    no server of a test beside this one takes them meanwhile."""
    with ExitStack() as held:
        bound = []
        for port in ports:
            sock = held.enter_context(socket.socket())
            sock.bind((HOST, port))
            bound.append(sock.getsockname()[1])
        yield bound


@dataclass
class Received:
    """One message the server accepted: envelope and the parsed message."""

    mail_from: str
    rcpt_tos: list[str]
    raw: bytes
    login: str | None

    @property
    def message(self) -> EmailMessage:
        return email.message_from_bytes(self.raw, policy=default)


@dataclass
class Recorder:
    """aiosmtpd handler that keeps every accepted message, or refuses at RCPT or DATA."""

    refuse_rcpt: bool = False
    refuse_data: bool = False
    received: list[Received] = field(default_factory=list)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.refuse_rcpt:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.refuse_data:
            return "550 5.7.1 message rejected as spam"
        login = session.auth_data.login.decode() if isinstance(session.auth_data, LoginPassword) else None
        self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content, login))
        return "250 Message accepted for delivery"


class Authenticator:
    """Accepts one user name and password, refuses the rest."""

    def __init__(self, user: str, password: str) -> None:
        self.user, self.password = user.encode(), password.encode()

    def __call__(self, server, session, envelope, mechanism, auth_data) -> AuthResult:
        ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
            self.user, self.password)
        return AuthResult(success=ok, handled=False, auth_data=auth_data if ok else None)


def make_certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (cert.pem, key.pem); trust it with SSL_CERT_FILE=cert.pem."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "portalwatch test")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(HOST))]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(
            digital_signature=True, key_cert_sign=True, crl_sign=True, content_commitment=False,
            key_encipherment=False, data_encipherment=False, key_agreement=False, encipher_only=False,
            decipher_only=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    return cert_path, key_path


def server_context(cert: Path, key: Path) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    return context


@contextmanager
def smtp_server(handler: Recorder | None = None, **smtp_options) -> Iterator[tuple[int, Recorder]]:
    """An aiosmtpd server on 127.0.0.1 (options go to aiosmtpd: tls_context, ssl_context, authenticator...)."""
    handler = handler or Recorder()
    port = free_port()
    controller = Controller(handler, hostname=HOST, port=port, **smtp_options)
    controller.start()
    try:
        yield port, handler
    finally:
        controller.stop()


@contextmanager
def raw_server(behaviour: str) -> Iterator[int]:
    """A TCP server on 127.0.0.1 that either never says a word ("silent") or hangs up at DATA ("drop")."""
    listener = socket.socket()
    listener.bind((HOST, 0))
    listener.listen()
    listener.settimeout(0.2)
    stop = threading.Event()
    conns: list[socket.socket] = []

    def talk(conn: socket.socket) -> None:
        if behaviour == "silent":
            return
        conn.sendall(b"220 test ESMTP\r\n")
        with conn.makefile("rb") as lines:
            for line in lines:
                if line.upper().startswith(b"DATA"):
                    conn.shutdown(socket.SHUT_RDWR)
                    conn.close()
                    return
                conn.sendall(b"250 OK\r\n")

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            conns.append(conn)
            threading.Thread(target=talk, args=(conn,), daemon=True).start()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        stop.set()
        thread.join()
        for conn in conns:
            conn.close()
        listener.close()
