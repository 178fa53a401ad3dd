"""Classification of an article: kind, districts, investment amounts, projects, policies, summary.

The same `classify` runs in the crawl pipeline and in `portalwatch reclassify` over stored articles.
"""

from __future__ import annotations

from collections.abc import Mapping

from portalwatch.classify.amounts import extract_amounts
from portalwatch.classify.districts import extract_districts
from portalwatch.classify.documents import extract_doc_numbers, extract_issuers, extract_policies
from portalwatch.classify.kind import decide_kind
from portalwatch.classify.projects import extract_projects, extract_stage
from portalwatch.classify.summary import lead_sentence, summarize
from portalwatch.models import Classification
from portalwatch.textnorm import strip_title_prefix, to_simplified

__all__ = ["classify"]


def classify(title: str, text: str, district_hint: str | None = None,
             meta: Mapping[str, str] | None = None) -> Classification:
    """Classify one article; `district_hint` is the portal's district, used when the text names none.

    `meta` is the page's 政府信息公开 table (索引号, 发布机构, 文号, 成文日期 ...) when it has one.
    """
    title = strip_title_prefix(to_simplified(title or ""))
    text = to_simplified(text or "")
    meta = {to_simplified(key).strip(" :："): to_simplified(value).strip() for key, value in (meta or {}).items()}
    lead = lead_sentence(text)
    kind = decide_kind(title, text)
    return Classification(
        kind=kind,
        districts=extract_districts(title, text, district_hint),
        amounts=extract_amounts(title, text),
        projects=extract_projects(title, text),
        stage=extract_stage(title, lead, text) if kind == "project" else None,
        policies=extract_policies(title, text),
        doc_numbers=extract_doc_numbers(title, text, meta),
        issuers=extract_issuers(title, text, meta),
        summary=summarize(title, text),
    )
