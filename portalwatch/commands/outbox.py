"""`portalwatch outbox [--limit N] [--send] [--drop ID ...]`: stored messages and where each recipient stands."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from zoneinfo import ZoneInfo

from filelock import Timeout

from portalwatch.commands.digest import exit_for, report_failure, retried_lines
from portalwatch.config import Config
from portalwatch.outcomes import Exit
from portalwatch.storage import DeliveryState, Store
from reports.collect import as_utc
from reports.digest import busy, drop_stored, resend_stored


def when(moment: datetime | None, zone: ZoneInfo) -> str:
    return as_utc(moment).astimezone(zone).strftime("%Y-%m-%d %H:%M") if moment else "-"


def lines(store: Store, zone: ZoneInfo, limit: int) -> list[str]:
    """Every message some recipient does not have yet and the `limit` newest delivered, with each recipient."""
    messages = store.recent_messages(limit)
    if not messages:
        return ["The outbox is empty: no message was ever stored."]
    waiting = sum(1 for m in messages if m["delivered_at"] is None and m["dropped_at"] is None)
    out = [f"Outbox (times in {zone.key}): {waiting} message(s) not yet at every recipient"]
    for m in messages:
        what = f"digest {m['digest_id']}" if m["digest_id"] is not None else m["kind"]
        state = (f"delivered {when(m['delivered_at'], zone)}" if m["delivered_at"]
                 else f"DROPPED {when(m['dropped_at'], zone)}" if m["dropped_at"] else "WAITING")
        out.append(f"#{m['id']}  {what}  stored {when(m['created_at'], zone)}  {state}  {m['message_id']}")
        out.append(f"    {m['subject']}")
        rows = store.message_recipients(m["id"])
        width = max(len(r["address"]) for r in rows)
        for r in rows:
            tried = f"{r['attempts']} attempt(s), last {when(r['last_attempt_at'], zone)}"
            sent = f", sent {when(r['sent_at'], zone)}" if r["sent_at"] else ""
            error = f"  {r['error']}" if r["error"] else ""
            out.append(f"    {r['address'].ljust(width)}  {r['state']:<7}  {tried}{sent}{error}")
    return out


def drop(config: Config, outbox_id: int) -> int:
    """Give up on one stored message; say what became of it and of its items."""
    try:
        message = drop_stored(config, outbox_id)
    except Timeout:
        print(f"portalwatch: outbox: {busy(config)}; nothing dropped", file=sys.stderr)
        return Exit.BUSY
    if message is None:
        print(f"portalwatch: outbox: no stored message #{outbox_id} (see `portalwatch outbox`)", file=sys.stderr)
        return Exit.CONFIG
    if message["delivered_at"] is not None:
        print(f"portalwatch: outbox: message #{outbox_id} ({message['message_id']}) reached every recipient "
              f"already; nothing to drop", file=sys.stderr)
        return Exit.CONFIG
    if message["dropped_at"] is not None:
        print(f"message #{outbox_id} ({message['message_id']}) was dropped already")
        return 0
    store = Store(config.database)
    without = [r["address"] for r in store.message_recipients(outbox_id) if r["state"] == DeliveryState.DROPPED]
    items = " and the items it carried wait for the next digest" if message["digest_id"] is not None else ""
    print(f"dropped message #{outbox_id} ({message['message_id']}): never sent again to "
          f"{', '.join(without)}{items}")
    return 0


def drop_each(config: Config, outbox_ids: list[int]) -> int:
    """`drop` every message named; one that cannot be dropped does not stop the others (a held lock
    stops them all). The exit code is the first failure's."""
    code = 0
    for outbox_id in outbox_ids:
        done = drop(config, outbox_id)
        if done == Exit.BUSY:
            return done
        code = code or done
    return code


def run(config: Config, args: argparse.Namespace) -> int:
    code = 0
    if args.drop:
        code = drop_each(config, args.drop)
    if args.send:
        outcome = resend_stored(config)
        for line in retried_lines(outcome):
            print(line)
        if outcome.status in ("failed", "busy"):
            report_failure("outbox", outcome)
            code = code or exit_for(outcome)
        elif outcome.status == "empty":
            print("nothing to send: every stored message is at every recipient")
    store = Store(config.database)
    print("\n".join(lines(store, ZoneInfo(config.timezone), args.limit)))
    return code
