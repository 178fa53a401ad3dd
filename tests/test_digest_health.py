"""The crawl health part of the digest: problems listed, healthy portals counted, and the mail fits at any scale."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from portalwatch.config import Config
from reports.collect import DigestContent, PortalHealth
from reports.mail import build_message, message_size
from reports.render import render, render_fitting

NOW = datetime(2026, 11, 23, tzinfo=UTC)
TZ = ZoneInfo("Asia/Shanghai")


def portals(count: int, failing_every: int) -> list[PortalHealth]:
    out = []
    for n in range(count):
        h = PortalHealth(f"portal-{n:04d}", runs=7, fetched=10, new=2, status="ok")
        if n % failing_every == 0:
            h.status, h.failed_runs, h.message, h.reasons = "failed", 7, f"HTTP 503 at list page {n}", {"http-503": 3}
        out.append(h)
    out.append(PortalHealth("never-crawled"))
    return sorted(out, key=lambda h: (h.healthy, h.portal))


def digest(health: list[PortalHealth]) -> DigestContent:
    return DigestContent(period_start=NOW - timedelta(days=7), period_end=NOW, projects=[], policies=[], others=[],
                         republished=[], revisions=[], duplicates=0, health=health, article_ids=[], revision_ids=[])


def test_the_health_part_names_the_problem_portals_and_counts_the_healthy_ones() -> None:
    rendered = render(digest(portals(30, failing_every=10)), TZ)
    for whole in (rendered.html, rendered.text):
        html_or_text = whole[whole.rindex("抓取情况"):]  # the part itself, not the overview pointing to it
        assert "portal-0000：失败" in html_or_text and "portal-0020：失败" in html_or_text
        assert "HTTP 503 at list page 10" in html_or_text
        assert "其余 27 个站点正常" in html_or_text and "抓取 270 篇，新 54 篇" in html_or_text
        assert "portal-0001" not in html_or_text  # a healthy portal gets no row of its own
        assert "never-crawled" in html_or_text
    assert "\n未设置 digest.public_url" in rendered.text  # the overview's lines stay lines


def test_a_mail_for_three_thousand_portals_fits_and_says_how_many_problems_it_left_out() -> None:
    config = Config.model_validate({"email": {"to": ["analyst@example.com"]}})

    def measure(rendered) -> int:
        return message_size(build_message(config.email, rendered.subject, rendered.text, rendered.html, "<1@pw>"))

    content = digest(portals(3000, failing_every=3))  # 1,000 failing portals
    full = render(content, TZ)
    assert measure(full) > config.digest.max_bytes
    fitted = render_fitting(content, TZ, max_bytes=config.digest.max_bytes, measure=measure,
                            report_link="https://reports.example.com/pw/d.html")
    assert measure(fitted) <= config.digest.max_bytes and fitted.cut
    assert "portal-0000：失败" in fitted.html  # the first problems are still named
    shown = fitted.html.count("：失败")
    assert f"另有 {1000 - shown} 个站点有问题" in fitted.html
    assert "其余 2000 个站点正常" in fitted.html and "https://reports.example.com/pw/d.html" in fitted.html
