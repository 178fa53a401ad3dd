"""The digest as HTML (Jinja2, autoescaped, CSS inlined) and plain text, cut to fit a mail size limit."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

import css_inline
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from portalwatch.outcomes import DOWN
from reports import health_text, views
from reports.collect import DigestContent, RevisionItem
from reports.diff import Segment, inline_diff, plain

TEMPLATES = Path(__file__).parent / "templates"
CUT_STEPS = (50, 25, 12, 6, 3, 1, 0)  # items kept per section, tried in turn until the mail fits
NAMES_KEPT = 20  # portals named in the "not crawled" line of a cut mail
TOP_PROJECTS = 5  # the largest new projects named in the overview


@dataclass(frozen=True)
class Rendered:
    subject: str
    html: str
    text: str
    cut: bool  # True when some items were left out to fit the size limit


@dataclass(frozen=True)
class RevisionView:
    item: RevisionItem
    title_diff: list[Segment] | None
    text_diff: list[Segment]
    figures: list[str]  # the changed figures in a line each: "总投资 32亿元 → 36亿元"


@cache
def environment() -> Environment:
    """Autoescape for `.html.j2` (crawled titles are untrusted); the text template is left as is."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=lambda name: bool(name) and name.endswith(".html.j2"),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=StrictUndefined,
    )
    env.filters.update(
        one_line=views.one_line,
        amount=views.amount_label,
        headline=views.headline_amount,
        policy_title=views.policy_title,
        day=views.day_label,
        url=views.safe_url,
        plain_diff=plain,
        reasons=health_text.reasons_label,
        status=health_text.status_label,
        local_day=views.local_day,
        district=views.district_of,
        portal_title=lambda portal, content: content.portal_title(portal),
    )
    return env


def subject_of(content: DigestContent, tz: ZoneInfo, subscription: str | None = None) -> str:
    """"portalwatch 摘要 2026-11-16 至 2026-11-23：新项目 3 · 新政策 2 · 其他 1" (no crawled text in it);
    a subscription's name follows "摘要" in brackets."""
    end = content.period_end.astimezone(tz).date().isoformat()
    if content.period_start is None:
        period = f"截至 {end}"
    else:
        period = f"{content.period_start.astimezone(tz).date().isoformat()} 至 {end}"
    counts = content.counts
    name = f"［{subscription}］" if subscription else ""
    if content.is_empty:
        return f"portalwatch 摘要{name} {period}：无新内容"
    parts = [f"新项目 {counts['projects']}", f"新政策 {counts['policies']}", f"其他 {counts['others']}"]
    changes = counts["revisions"] + counts["republished"]
    if changes:
        parts.append(f"变更 {changes}")
    return f"portalwatch 摘要{name} {period}：" + " · ".join(parts)


def revision_views(items: list[RevisionItem]) -> list[RevisionView]:
    out = []
    for item in items:
        old_title, new_title = views.one_line(item.old_title), views.one_line(item.new_title)
        title_diff = inline_diff(old_title, new_title) if old_title != new_title else None
        figures = views.changed_figures(item.old_text, item.new_text)
        out.append(RevisionView(item, title_diff, inline_diff(item.old_text, item.new_text), figures))
    return out


def context(content: DigestContent, tz: ZoneInfo, limit: int | None, report_link: str | None,
            subscription: str | None = None) -> dict:
    """What the templates see; `limit` caps each section (None: everything)."""
    projects = views.top_projects(content.projects, limit)
    revisions = revision_views(content.revisions[:limit] if limit is not None else content.revisions)
    shown = {
        "projects": len(projects),
        "policies": len(content.policies if limit is None else content.policies[:limit]),
        "others": len(content.others if limit is None else content.others[:limit]),
        "revisions": len(revisions),
        "republished": len(content.republished if limit is None else content.republished[:limit]),
    }
    health = health_context(content, limit)
    cut = any(shown[key] < content.counts[key] for key in shown) or bool(
        health["problems_hidden"] or health["not_crawled_hidden"] or health["covered_hidden"])
    return {
        "c": content,
        "subject": subject_of(content, tz, subscription),
        "period_start": views.local_time(content.period_start, tz),
        "period_end": views.local_time(content.period_end, tz),
        "counts": content.counts,
        "shown": shown,
        "cut": cut,
        "limit": limit,
        "report_link": report_link,
        "subscription": subscription,
        "tz": tz,
        "district_groups": views.by_district(projects),
        "policies": views.newest(content.policies, limit),
        "others": views.newest(content.others, limit),
        "revisions": revisions,
        "top5": views.top_projects(content.projects, TOP_PROJECTS),
        "anchors": {group.district: f"d{i}" for i, group in enumerate(views.by_district(content.projects))},
        "republished": content.republished if limit is None else content.republished[:limit],
        **health,
    }


def health_context(content: DigestContent, limit: int | None) -> dict:
    """Crawl health as the mail shows it: the portals with problems (`limit` at most), the healthy ones counted."""
    problems = [h for h in content.health if h.runs and not h.healthy]
    healthy = [h for h in content.health if h.runs and h.healthy]
    not_crawled = [h.portal for h in content.health if not h.runs]
    keep = len(problems) if limit is None else limit
    keep_names = len(not_crawled) if limit is None else max(limit, NAMES_KEPT)
    down = [h.portal for h in content.health if h.runs and h.status in DOWN]
    covered = [portal for portal in content.portals if portal not in down]
    return {
        "down": down,  # the digest opens with these: "2/12 站点抓取失败"
        "crawled": sum(1 for h in content.health if h.runs),
        "covered": covered[:keep_names] if limit is not None else covered,
        "covered_hidden": len(covered) - keep_names if limit is not None and len(covered) > keep_names else 0,
        "problems": problems[:keep],
        "problems_hidden": len(problems) - len(problems[:keep]),
        "healthy": {"portals": len(healthy), "fetched": sum(h.fetched for h in healthy),
                    "new": sum(h.new for h in healthy)} if healthy else None,
        "not_crawled": not_crawled[:keep_names],
        "not_crawled_hidden": len(not_crawled) - len(not_crawled[:keep_names]),
    }


def render(content: DigestContent, tz: ZoneInfo, *, limit: int | None = None,
           report_link: str | None = None, subscription: str | None = None) -> Rendered:
    """The digest's subject, HTML (CSS inlined) and text; `limit` items per section at most."""
    ctx = context(content, tz, limit, report_link, subscription)
    env = environment()
    html = env.get_template("digest.html.j2").render(ctx)
    html = css_inline.inline(html, keep_at_rules=True, load_remote_stylesheets=False)
    text = env.get_template("digest.txt.j2").render(ctx)
    return Rendered(subject=ctx["subject"], html=html, text=text, cut=ctx["cut"])


def render_fitting(content: DigestContent, tz: ZoneInfo, *, max_bytes: int, measure: Callable[[Rendered], int],
                   report_link: str | None, subscription: str | None = None) -> Rendered:
    """The full digest if `measure` finds it within `max_bytes`, else the top items and a link to the full report."""
    full = render(content, tz, report_link=report_link, subscription=subscription)
    if measure(full) <= max_bytes:
        return full
    for limit in CUT_STEPS:
        cut = render(content, tz, limit=limit, report_link=report_link, subscription=subscription)
        if measure(cut) <= max_bytes:
            return cut
    return cut
