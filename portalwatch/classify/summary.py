"""The one-sentence summary for the digest: the lead sentence, trimmed, never cut inside a number."""

from __future__ import annotations

import re

MAX_CHARS = 120
_SENTENCE_RE = re.compile(r"[^。！？!?\n]+[。！？!?]?")
# News leads: "中国山东网10月30日讯", "本报讯(记者 王凯)", "青岛新闻网3月2日讯 记者 ...", "新华社青岛3月1日电".
_DATELINE_RE = re.compile(
    r"^\s*(?:[\u4e00-\u9fff]{0,12}(?:\d{1,2}月\d{1,2}日)?(?:讯|电)\s*(?:[(（][^()（）]{0,30}[)）])?"
    r"(?:\s*记者\s*[\u4e00-\u9fff ]{2,12}?(?:报道)?)?\s*[,，:：]?\s*)"
)
_DATELINE_HINT = re.compile(r"^\s*[\u4e00-\u9fff]{0,12}?(?:\d{1,2}月\d{1,2}日)?(?:讯|电)")
# NFKC turns "，" into ","; in a Chinese sentence the digest shows the full-width mark again.
_HALF_WIDTH_AFTER_CJK = re.compile(r"(?<=[\u4e00-\u9fff”’》）)\d%])([,;:!?])(?=[^\d]|$)")
_FULL_WIDTH = {",": "，", ";": "；", ":": "：", "!": "！", "?": "？"}
_CLAUSE_END = "，,；;、：:"
_NUMBERISH = re.compile(r"[\d.,%％万亿千百十零〇一二两三四五六七八九元美欧日港]")


def _sentences(text: str, whole_only: bool) -> str:
    for line in text.splitlines():
        line = line.strip()
        if line.endswith((":", "：")) or len(line) < 8:
            continue  # a speaker line "XX区委书记:", a date, a short heading
        if whole_only and not re.search(r"[。！？!?]", line):
            continue
        if _DATELINE_HINT.match(line):
            line = _DATELINE_RE.sub("", line, count=1)
        match = _SENTENCE_RE.search(line)
        if match and len(match.group(0).strip()) >= 8:
            return match.group(0).strip()
    return ""


def lead_sentence(text: str) -> str:
    """The first sentence of the first paragraph that has one (headings skipped), dateline removed."""
    return _sentences(text, whole_only=True) or _sentences(text, whole_only=False)


def trim(sentence: str, limit: int = MAX_CHARS) -> str:
    """Shorten to `limit` characters at a clause break, else before a number, adding '…'."""
    if len(sentence) <= limit:
        return sentence
    head = sentence[:limit]
    cut = max(head.rfind(ch) for ch in _CLAUSE_END)
    if cut < limit // 2:
        cut = limit
        while cut > 0 and _NUMBERISH.match(sentence[cut - 1]) and _NUMBERISH.match(sentence[cut]):
            cut -= 1
    return sentence[:cut].rstrip(_CLAUSE_END + " ") + "…"


def full_width_punctuation(sentence: str) -> str:
    """'城阳区,总投资32亿元' -> '城阳区，总投资32亿元' (a comma inside '1,200' stays)."""
    return _HALF_WIDTH_AFTER_CJK.sub(lambda m: _FULL_WIDTH[m.group(1)], sentence)


def summarize(title: str, text: str) -> str:
    """The lead sentence trimmed for the digest; the title when the text has none."""
    return trim(full_width_punctuation(lead_sentence(text) or title.strip()))
