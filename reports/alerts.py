"""Failure alerts: a portal down for `alerts.after_failures` runs in a row, or every portal down at once.

One alert per outage, sent at once (no digest needs to be due), by email (through the outbox, which retries
it) and the `notify` channels; a recovery note when the portal works again. Outages live in the store, so a
restart never repeats an alert.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from portalwatch.config import Config
from portalwatch.outcomes import DOWN, PortalStatus
from portalwatch.storage import Store
from reports import outbox
from reports.health_text import reason_label, status_label
from reports.mail import DeliveryError
from reports.notify import notify

log = logging.getLogger(__name__)


@dataclass
class AlertReport:
    """What `after_run` told, and what it could not deliver."""

    sent: list[str] = field(default_factory=list)  # subjects of alerts and recovery notes delivered
    errors: list[str] = field(default_factory=list)


def after_run(config: Config, store: Store, run_id: int) -> AlertReport:
    """Open, announce and close outages after crawl run `run_id`."""
    rows = store.latest_portal_statuses(run_id)
    report = AlertReport()
    if not rows:
        return report
    outages = store.open_outages()
    limit = config.alerts.after_failures
    enabled = {p.name for p in config.portals if p.enabled}
    everything_down = enabled <= set(rows) and all(row["status"] in DOWN for row in rows.values())
    for portal, row in rows.items():
        if row["status"] in DOWN and portal not in outages and (
                everything_down or store.consecutive_down(portal, limit) >= limit):
            store.open_outage(portal, _why(store, run_id, portal, row))
    outages = store.open_outages()
    down = [o for p, o in outages.items() if o["alerted_at"] is None and rows.get(p, {}).get("status") in DOWN]
    if down:
        subject = f"portalwatch 警报：{len(down)}/{len(rows)} 站点抓取失败"
        if everything_down:
            subject += "（全部站点）"
        lines = [f"{o['portal']}：{o['message']}" for o in down]
        body = "\n".join([*lines, "", f"连续 {limit} 次失败或全部站点同时失败时发出本警报；恢复后另有通知。"])
        if _send(config, subject, body, report):
            store.mark_alerted([o["portal"] for o in down])
    back = [p for p, row in rows.items()
            if p in outages and row["status"] not in DOWN and row["status"] != PortalStatus.INTERRUPTED]
    announced = [p for p in back if outages[p]["alerted_at"] is not None]
    if announced:
        subject = f"portalwatch：{len(announced)} 个站点已恢复抓取"
        body = "\n".join(f"{p}：{status_label(rows[p]['status'])}，抓取 {rows[p]['articles_fetched']} 篇"
                         for p in announced)
        if not _send(config, subject, body, report):
            back = [p for p in back if p not in announced]  # told next time
    if back:
        store.close_outages(back)
    return report


def _why(store: Store, run_id: int, portal: str, row: dict) -> str:
    """"抓取失败，连续 3 次：无法连接 http://…" from the run's first error."""
    runs = store.consecutive_down(portal, 1000)
    first = store.first_error(run_id, portal)
    cause = f"{reason_label(first['reason'])} {first['url'] or ''}".strip() if first else ""
    return f"{status_label(row['status'])}，连续 {runs} 次" + (f"：{cause}" if cause else "")


def _send(config: Config, subject: str, body: str, report: AlertReport) -> bool:
    """Mail (stored in the outbox first) and notify; True when a channel has it or the outbox keeps it.

    With no channel configured it is only logged.
    """
    delivered, tried = False, False
    if config.email.smtp_host and config.email.to:
        tried = True
        try:
            delivery = outbox.send(config, subject, body)
            delivered = True  # stored: the outbox sends it again until every reader has it
            if not delivery.done:
                report.errors.append(f"alert mail not delivered yet, kept in the outbox: {delivery.summary()}")
        except DeliveryError as exc:
            report.errors.append(f"alert mail not sent: {exc}")
    if config.notify:
        tried = True
        problems = notify(config.notify, subject, body)
        delivered = delivered or len(problems) < len(config.notify)
        report.errors.extend(problems)
    if not tried:
        log.warning("%s (no email.smtp_host / email.to and no notify URL: nobody was told)\n%s", subject, body)
        return True
    if delivered:
        report.sent.append(subject)
    return delivered
