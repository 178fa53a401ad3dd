"""`portalwatch digest [--dry-run] [--out FILE] [--since DATE]`: build the digest, archive it and mail it."""

from __future__ import annotations

import argparse
import sys
from datetime import date

from portalwatch.config import Config, ConfigError
from portalwatch.outcomes import Exit
from reports.digest import DigestOutcome, run_digest

EXIT_USAGE = 2


def parse_day(text: str | None) -> date | None:
    """`YYYY-MM-DD` as a date; ValueError names the bad value."""
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"--since {text!r}: expected a date as YYYY-MM-DD") from None


def describe(outcome: DigestOutcome) -> str:
    c = outcome.counts
    return (f"{c.get('projects', 0)} projects, {c.get('policies', 0)} policies, {c.get('others', 0)} other, "
            f"{c.get('revisions', 0)} revised, {c.get('republished', 0)} republished with changed figures")


def retried_lines(outcome: DigestOutcome) -> list[str]:
    """One line per stored message this run sent again that some reader now has."""
    return [f"sent again: message {d.outbox_id} {d.message_id} to {', '.join(d.sent_now)}"
            for d in outcome.retried if d.sent_now]


def exit_for(outcome: DigestOutcome) -> int:
    """A digest's exit code: 1 when some reader lacks its mail, 75 when another digest run held the lock."""
    return {"failed": Exit.LOST_WORK, "busy": Exit.BUSY}.get(outcome.status, Exit.OK)


def report_failure(command: str, outcome: DigestOutcome, *, dry_run: bool = False) -> None:
    """What did not reach whom, and what happens to it, on standard error."""
    if outcome.message_id is None and not outcome.retried:
        print(f"portalwatch: {command}: digest not sent: {outcome.error}", file=sys.stderr)
        if outcome.counts and not dry_run:
            print(f"nothing was marked as sent; these go into the next digest: {describe(outcome)}", file=sys.stderr)
        return
    print(f"portalwatch: {command}: not every reader has the mail yet: {outcome.error}", file=sys.stderr)
    print("the message is stored in the outbox and is sent again, the same message with the same Message-ID, "
          "by the next digest or run-once (see `portalwatch outbox`); its items are marked sent once every "
          "reader has it", file=sys.stderr)


def run(config: Config, args: argparse.Namespace) -> int:
    try:
        since = parse_day(args.since)
        if args.subscription:
            config.subscription(args.subscription)
    except (ValueError, ConfigError) as exc:
        print(f"portalwatch: digest: {exc}", file=sys.stderr)
        return EXIT_USAGE
    outcome = run_digest(config, dry_run=args.dry_run, out=args.out, since=since, subscription=args.subscription,
                         default_schedule_only=getattr(args, "default_schedule", False))
    code = 0
    for part in outcome.parts or [outcome]:
        code = max(code, _report(part, args, named=bool(outcome.parts or args.subscription)))
    return code


def _report(outcome: DigestOutcome, args: argparse.Namespace, *, named: bool) -> int:
    """Print what one subscription's digest did; its exit code."""
    who = f" [{outcome.subscription}]" if named else ""
    if named:
        print(f"[{outcome.subscription}]")
    for line in retried_lines(outcome):
        print(line)
    if outcome.status in ("failed", "busy"):
        report_failure(f"digest{who}", outcome, dry_run=args.dry_run)
        return exit_for(outcome)
    if outcome.status == "resent":
        print("nothing new since the last digest; stored messages were sent again (see above)")
    elif outcome.status == "empty":
        print("nothing new since the last digest: no mail sent (set digest.send_empty to send one anyway)")
    elif outcome.status == "written":
        print(f"digest written to {outcome.path} (dry run: nothing sent, nothing marked): {describe(outcome)}")
    else:
        cut = " (cut to the top items, with a link to the full report)" if outcome.cut else ""
        print(f"digest sent to {', '.join(outcome.recipients)}{cut}: {describe(outcome)}")
        print(f"archived at {outcome.path}")
    if args.out and outcome.status != "written":
        print(f"copy written to {args.out}")
    for problem in outcome.notify_errors:
        print(f"portalwatch: {problem}", file=sys.stderr)
    return 0
