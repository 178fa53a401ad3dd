"""Policy documents: titles in 《》, document numbers in any bracket style, issuing bodies."""

from __future__ import annotations

import re

# What a policy document's title ends with (a newspaper or TV programme in 《》 is not a policy).
_POLICY_ENDINGS = (
    "办法", "措施", "意见", "通知", "细则", "规定", "方案", "计划", "政策", "条例", "决定", "规划", "纲要",
    "指引", "指南", "清单", "目录", "标准", "机制", "建议", "规则", "制度", "批复", "公告", "通告", "函",
    "条", "意见稿", "法", "法典", "征求意见稿", "解读", "行动", "要点", "守则", "章程", "准则",
)
_NOT_POLICY = re.compile(r"须知|协议$|报$|新闻|联播|杂志|日报")
_DOC_PREFIX = r"[\u4e00-\u9fff]{1,12}"
_OPEN, _CLOSE = "〔[(【", "〕])】"
DOC_NUMBER_RE = re.compile(
    rf"(?P<prefix>{_DOC_PREFIX})\s*[{re.escape(_OPEN)}]\s*(?P<year>(?:19|20)\d{{2}})\s*"
    rf"[{re.escape(_CLOSE)}]\s*(?P<serial>\d{{1,4}})\s*号"
)
# Words that can stand right before a document number but are not part of its prefix.
_PREFIX_LEAD = re.compile(r"^.*(?:文号|印发|根据|依据|按照|参照|执行|以|的|和|及|与|见|号|转发|发布)")
_ISSUER_SUFFIX = (
    r"(?:人民政府办公室|人民政府办公厅|人民政府|政府办公室|政府办公厅|管理委员会办公室|管理委员会|管委会"
    r"|委员会|办公室|办公厅|工委|管委|政府|局|厅|委)"
)
_ISSUER_START = r"(?:^|(?<=[\s,，。；;:：、“”\"()]))"
_ISSUER_NAME = rf"(?P<issuer>[\u4e00-\u9fff]{{2,24}}?{_ISSUER_SUFFIX})"
_ISSUER_RE = re.compile(
    rf"{_ISSUER_START}(?:近日|日前|近期|今年|今天|昨天|[\d一二三四五六七八九十]+月[\d一二三四五六七八九十]+日)?"
    rf"[,，]?{_ISSUER_NAME}(?:联合|正式|近日|日前|专门|研究)?"
    rf"(?:印发|发布|出台|制定|制发|颁布|修订|关于)"
)
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


def extract_doc_numbers(title: str, text: str) -> list[str]:
    """Document numbers normalised to the GB/T 9704 form `崂政发〔2026〕15号`, in order, no repeats."""
    result: list[str] = []
    for match in DOC_NUMBER_RE.finditer(title + "\n" + text):
        prefix = _PREFIX_LEAD.sub("", match["prefix"])
        if not prefix:
            continue
        number = f"{prefix}〔{match['year']}〕{int(match['serial'])}号"
        if number not in result:
            result.append(number)
    return result


def extract_issuers(title: str, text: str) -> list[str]:
    """Issuing bodies: the xxgk 发布机构 field, then bodies that 印发/发布/出台 something."""
    result: list[str] = []
    candidates = [m.group(1) for m in _META_ISSUER.finditer(text)]
    for source in (title, text):
        candidates += [m["issuer"] for m in _ISSUER_RE.finditer(source)]
    for issuer in candidates:
        issuer = _DATE_PREFIX.sub("", issuer)
        if issuer not in result:
            result.append(issuer)
    return result
