"""Policy documents: titles in 《》, document numbers in any bracket style, issuing bodies."""

from __future__ import annotations

import re
from collections.abc import Mapping

# What a policy document's title ends with (a newspaper or TV programme in 《》 is not a policy).
_POLICY_ENDINGS = (
    "办法", "措施", "意见", "通知", "细则", "规定", "方案", "计划", "政策", "条例", "决定", "规划", "纲要",
    "指引", "指南", "清单", "目录", "标准", "机制", "建议", "规则", "制度", "批复", "公告", "通告", "函",
    "条", "意见稿", "法", "法典", "征求意见稿", "解读", "行动", "要点", "守则", "章程", "准则", "举措",
)
_NOT_POLICY = re.compile(r"须知|协议$|报$|新闻|联播|杂志|日报")
_DOC_PREFIX = r"[\u4e00-\u9fff]{1,12}"
_OPEN, _CLOSE = "〔[(【", "〕])】"
DOC_NUMBER_RE = re.compile(
    rf"(?P<prefix>{_DOC_PREFIX})\s*[{re.escape(_OPEN)}]\s*(?P<year>(?:19|20)\d{{2}})\s*"
    rf"[{re.escape(_CLOSE)}]\s*(?P<serial>\d{{1,4}})\s*号"
)
# Words that can stand right before a document number but are not part of its prefix.
PREFIX_LEAD = re.compile(r"^.*(?:文号|印发|根据|依据|按照|参照|执行|以|的|和|及|与|见|号|转发|发布)")
_ISSUER_SUFFIX = (
    r"(?:人民政府办公室|人民政府办公厅|人民政府|政府办公室|政府办公厅|管理委员会办公室|管理委员会|管委会"
    r"|委员会|办公室|办公厅|工委|管委|政府|组织部|宣传部|统战部|局|厅|委)"
)
_ISSUER_START = r"(?:^|(?<=[\s,，。；;:：、“”\"()]))"
_ISSUER_NAME = rf"(?P<issuer>[\u4e00-\u9fff]{{2,24}}?{_ISSUER_SUFFIX})"
_CO_ISSUER = rf"(?:、[\u4e00-\u9fff]{{1,24}}?{_ISSUER_SUFFIX})*(?:等[\d一二三四五六七八九十]+个?部门)?"
_ISSUER_RE = re.compile(
    rf"{_ISSUER_START}(?:近日|日前|近期|今年|今天|昨天|[\d一二三四五六七八九十]+月[\d一二三四五六七八九十]+日)?"
    rf"[,，]?{_ISSUER_NAME}{_CO_ISSUER}(?:联合|正式|近日|日前|专门|研究)*"
    rf"(?:印发|发布|出台|制定|制发|颁布|修订|转发|关于)"
)
_SIGNATURE_RE = re.compile(rf"[\u4e00-\u9fff]{{2,30}}{_ISSUER_SUFFIX}")
_META_KEYS = ("发布机构", "发文机关", "发文单位", "发文机构", "成文单位")
# What introduces a document cited as the basis of another.
_CITATION_RE = re.compile(r"(?:根据|依据|按照|参照|遵照)[^《》]{0,20}《[^》]*》[^《》]{0,6}$")
_META_ISSUER = re.compile(r"(?:发布机构|发文机关|发文单位|发文机构|成文单位)\s*[:：]?\s*([\u4e00-\u9fff]{2,30})")
_DATE_PREFIX = re.compile(r"^(?:近日|日前|近期|今年|今天|昨天)")


def _bracketed_titles(text: str) -> list[str]:
    """Outermost 《...》 spans, nested 《》 or 〈〉 kept inside."""
    titles, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        if ch == "《":
            if depth == 0:
                start = i + 1
            depth += 1
        elif ch == "》" and depth:
            depth -= 1
            if depth == 0:
                titles.append(text[start:i].strip())
        elif ch == "\n":
            depth = 0
    return titles


def is_policy_title(title: str) -> bool:
    """True when a 《》 title names a policy document rather than a newspaper, programme or form."""
    core = re.sub(r"[(（][^()（）]*[)）]$", "", title).strip()
    policy_like = core.endswith(_POLICY_ENDINGS) or "政策" in core
    return bool(core) and policy_like and not _NOT_POLICY.search(core)


def extract_policies(title: str, text: str) -> list[str]:
    """Policy titles in 《》 from title and text, in order, without repeats."""
    result: list[str] = []
    for found in _bracketed_titles(title) + _bracketed_titles(text):
        # a later short form of a title already found (《政策梳理》 after 《…土地政策梳理》) is the same document
        if is_policy_title(found) and not any(found in known for known in result):
            result.append(found)
    return result


def _cited(text: str, start: int) -> bool:
    """True when the number at `start` belongs to a document cited as the basis: "根据《…》（…〔2024〕12号）"."""
    clause = text[max(0, start - 80):start]
    clause = re.split(r"[。；;\n]", clause)[-1]
    return bool(_CITATION_RE.search(clause))


def normalise_doc_number(raw: str) -> str | None:
    """'城政发[2026]1号' -> '城政发〔2026〕1号'; None when `raw` holds no document number."""
    match = DOC_NUMBER_RE.search(raw)
    if match is None:
        return None
    prefix = PREFIX_LEAD.sub("", match["prefix"])
    return f"{prefix}〔{match['year']}〕{int(match['serial'])}号" if prefix else None


def extract_doc_numbers(title: str, text: str, meta: Mapping[str, str] | None = None) -> list[str]:
    """Document numbers in the GB/T 9704 form `崂政发〔2026〕15号`, in order, no repeats.

    The page's own number comes first, from the xxgk table's 文号 when there is one; numbers of documents
    cited as the basis (根据/依据/按照《…》（…号）) are left out: the page does not issue them.
    """
    result: list[str] = []
    own = normalise_doc_number((meta or {}).get("文号", ""))
    if own:
        result.append(own)
    body = title + "\n" + text
    for match in DOC_NUMBER_RE.finditer(body):
        prefix = PREFIX_LEAD.sub("", match["prefix"])
        if not prefix or _cited(body, match.start()):
            continue
        number = f"{prefix}〔{match['year']}〕{int(match['serial'])}号"
        if number not in result:
            result.append(number)
    return result


def _signature(text: str) -> str | None:
    """The body that signs the document: a line of just a body's name near the end, often above a date."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    for line in reversed(lines[-3:]):
        if _SIGNATURE_RE.fullmatch(line):
            return line
    return None


def extract_issuers(title: str, text: str, meta: Mapping[str, str] | None = None) -> list[str]:
    """Issuing bodies, the publisher first: the xxgk 发布机构, else the signature, else who 印发/发布 it.

    Of bodies that issue something jointly ("市商务局、市财政局联合印发") the first leads.
    """
    result: list[str] = []
    candidates = [value.strip() for key, value in (meta or {}).items() if key in _META_KEYS and value.strip()]
    candidates += [m.group(1) for m in _META_ISSUER.finditer(text)]
    signed = _signature(text)
    if signed:
        candidates.append(signed)
    for source in (title, text):
        candidates += [m["issuer"] for m in _ISSUER_RE.finditer(source)]
    for issuer in candidates:
        issuer = _DATE_PREFIX.sub("", issuer)
        if issuer not in result:
            result.append(issuer)
    return result
