"""How big the digest mail is for many portals and many pending items, against `digest.max_bytes`.

Builds a digest of PORTALS portals (a tenth failed or blocked, some never crawled) and ITEMS new articles
(projects, policies, others, republished copies and revisions), renders it as the mail would go out, and
prints its size beside the limit; then the worst case for the health part, every portal failing, in the same
run (before, the health table had a row per portal: 2.8 MB of mail at 3,000 portals).

    python bench/mail_fit.py [PORTALS] [ITEMS]
"""

from __future__ import annotations

import sys
import time
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from portalwatch.config import Config
from reports.collect import ArticleItem, DigestContent, PortalHealth, RevisionItem
from reports.mail import build_message, message_size
from reports.render import render_fitting

NOW = datetime(2026, 11, 23, 0, 0, tzinfo=UTC)
KINDS = ("project", "policy", "other")


def item(n: int, kind: str, duplicate: bool = False) -> ArticleItem:
    yi = float(n % 97 + 1)
    return ArticleItem(
        id=n, url=f"http://www{n % 300}.example.gov.cn/xwzx/202611/t20261116_{n}.shtml", portal=f"portal-{n % 300}",
        title=f"第{n}号重点项目签约 总投资{yi:g}亿元" if kind == "project" else f"关于印发第{n}号办法的通知",
        published=date(2026, 11, 16) + timedelta(days=n % 7), first_seen=NOW - timedelta(hours=n % 150),
        kind=kind, districts=["西海岸新区"], amounts=[{"text": f"总投资{yi:g}亿元", "value": yi, "unit": "亿元",
                                                   "currency": "CNY", "yi": yi}] if kind == "project" else [],
        projects=[f"第{n}号重点项目"] if kind == "project" else [], stage="签约" if kind == "project" else None,
        policies=[f"第{n}号办法"] if kind == "policy" else [],
        doc_numbers=[f"青政发〔2026〕{n}号"] if kind == "policy" else [],
        issuers=["青岛市人民政府"] if kind == "policy" else [],
        summary=f"第{n}号项目签约，建设内容包括研发中心和生产基地。" * 2,
        duplicate_of="seeds/000.txt#1" if duplicate else None, duplicate_title="已知文章" if duplicate else None,
        number_changes=[{"known": "32", "found": "35", "context": "总投资35亿元"}] if duplicate else [],
    )


def health(portals: int) -> list[PortalHealth]:
    out = []
    for n in range(portals):
        h = PortalHealth(f"portal-{n:04d}", runs=7, fetched=12, new=3)
        if n % 10 == 0:
            h.status, h.failed_runs, h.message = "failed", 7, f"list page answered HTTP 503 (portal {n})"
            h.reasons = {"http-503": 3}
        elif n % 10 == 1:
            h.status, h.failed_runs, h.message = "blocked", 1, "HTTP 412 with a JavaScript cookie challenge"
        elif n % 50 == 2:
            h.runs = 0
            h.status = "not crawled"
        else:
            h.status = "ok"
        out.append(h)
    return sorted(out, key=lambda h: (h.healthy, h.portal))


def content(portals: int, items: int) -> DigestContent:
    fresh = [item(n, KINDS[n % 3]) for n in range(items)]
    copies = [item(items + n, "project", duplicate=True) for n in range(items // 50)]
    revisions = [RevisionItem(article_id=n, url=f"http://www.example.gov.cn/r/{n}.shtml", portal="portal-0002",
                              old_title="旧标题", new_title="新标题", old_text="总投资32亿元。" * 20,
                              new_text="总投资35亿元。" * 20, seen_at=NOW, count=1) for n in range(items // 50)]
    return DigestContent(
        period_start=NOW - timedelta(days=7), period_end=NOW,
        projects=[a for a in fresh if a.kind == "project"], policies=[a for a in fresh if a.kind == "policy"],
        others=[a for a in fresh if a.kind == "other"], republished=copies, revisions=revisions, duplicates=items,
        health=health(portals), article_ids=[a.id for a in fresh + copies],
        revision_ids=[r.article_id for r in revisions],
    )


def mail_size(digest: DigestContent, config: Config) -> tuple[int, bool, float]:
    """(bytes of the mail as sent, whether it was cut, seconds to fit it)."""
    def measure(rendered) -> int:
        return message_size(build_message(config.email, rendered.subject, rendered.text, rendered.html, "<1@pw>"))
    started = time.perf_counter()
    fitted = render_fitting(digest, ZoneInfo(config.timezone), max_bytes=config.digest.max_bytes, measure=measure,
                            report_link="https://reports.example.com/pw/digest-2026-11-23-0001.html")
    return measure(fitted), fitted.cut, time.perf_counter() - started


def main() -> None:
    portals = int(sys.argv[1]) if len(sys.argv) > 1 else 3000
    items = int(sys.argv[2]) if len(sys.argv) > 2 else 50_000
    config = Config.model_validate({"email": {"to": ["analyst@example.com"]}})
    limit = config.digest.max_bytes
    digest = content(portals, items)
    size, cut, seconds = mail_size(digest, config)
    print(f"{portals:,} portals ({sum(1 for h in digest.health if h.runs and not h.healthy):,} with problems), "
          f"{items:,} new items: mail {size:,} bytes against digest.max_bytes {limit:,} "
          f"({'within' if size <= limit else 'OVER'}; cut to the top items: {cut}; fitted in {seconds:.1f} s)")
    peer = content(portals, 0)
    peer.health = [PortalHealth(h.portal, runs=h.runs, fetched=h.fetched, new=h.new, status="failed",
                                failed_runs=h.runs, message=h.message) for h in peer.health]
    size, cut, seconds = mail_size(peer, config)
    print(f"peer, every one of the {portals:,} portals failing and no items: mail {size:,} bytes "
          f"({'within' if size <= limit else 'OVER'}; cut: {cut})")


if __name__ == "__main__":
    main()
