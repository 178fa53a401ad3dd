"""`portalwatch test-email [--to ADDRESS]`: one short mail through the configured server, nothing stored."""

from __future__ import annotations

import argparse
import socket
import sys

from portalwatch.config import Config, check_address
from portalwatch.storage import DeliveryState
from reports.mail import (
    DeliveryError,
    build_message,
    envelope_sender,
    new_message_id,
    recipients,
    send_stored,
    wire_bytes,
)


def run(config: Config, args: argparse.Namespace) -> int:
    settings = config.email
    try:
        to = [check_address(a, "--to") and a for a in args.to] if args.to else None
    except ValueError as exc:
        print(f"portalwatch: test-email: {exc}", file=sys.stderr)
        return 2
    rcpts = recipients(settings, to)
    if not rcpts:
        print(f"portalwatch: test-email: no recipient (set email.to in {config.source} or pass --to)",
              file=sys.stderr)
        return 2
    text = f"portalwatch test mail from {socket.gethostname()}: the mail settings of {config.source.name} work."
    msg = build_message(settings, "portalwatch: test mail", text, None, new_message_id(settings, "test"), to=to)
    results: dict[str, tuple[DeliveryState, str | None]] = {}

    def record(addresses: list[str], state: DeliveryState, error: str | None) -> None:
        results.update({address: (state, error) for address in addresses})

    try:
        send_stored(settings, envelope_sender(settings), wire_bytes(msg), rcpts, record)
    except DeliveryError as exc:
        print(f"portalwatch: test-email: {exc}", file=sys.stderr)
        return 1
    failed = 0
    for address in rcpts:
        state, error = results.get(address, (DeliveryState.PENDING, "no answer"))
        if state is DeliveryState.SENT:
            print(f"{address}: accepted by {settings.smtp_host}:{settings.smtp_port} ({msg['Message-ID']})")
        else:
            failed += 1
            print(f"portalwatch: test-email: {address}: {state.value}: {error}", file=sys.stderr)
    return 1 if failed else 0
