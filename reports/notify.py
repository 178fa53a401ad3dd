"""Optional short summaries through apprise (DingTalk, WeCom, Feishu webhooks ...), configured as `notify` URLs."""

from __future__ import annotations

import logging
import re

log = logging.getLogger(__name__)


def redact(url: str) -> str:
    """A notification URL without its token: `dingtalk://…` (tokens are secrets)."""
    match = re.match(r"^([A-Za-z][A-Za-z0-9+.-]*)://", url)
    return f"{match.group(1)}://…" if match else "(not a URL)"


def notify(urls: list[str], title: str, body: str) -> list[str]:
    """Send `title` and `body` to every URL; return one message per failure (no tokens in them)."""
    if not urls:
        return []
    try:
        import apprise
    except ImportError:
        log.warning("notify URLs are configured but apprise is not installed (pip install portalwatch[notify])")
        return ["apprise is not installed"]
    failures = []
    for url in urls:
        sender = apprise.Apprise()
        if not sender.add(url):
            failures.append(f"notify {redact(url)}: not a URL apprise understands")
        elif not sender.notify(title=title, body=body):
            failures.append(f"notify {redact(url)}: delivery failed")
    for failure in failures:
        log.warning(failure)
    return failures
