"""Text normalisation shared by dedupe, classification and the digest.

Two forms: `to_simplified` is readable (punctuation and line breaks kept) and `normalize` is the
comparison form (no whitespace, no punctuation, lower case). Both are deterministic.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable
from functools import cache

import opencc

_TONE_VOWELS = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜńňǹḿ"
_NEUTRAL_SYLLABLES = "de|le|me|men|zi|ge|ma|ne|ba|zhe|tou|li|shang|xia|mo"
# Pinyin in parentheses right after a CJK character: 強(qiáng) -> 強. A syllable must carry a tone
# mark (or be a common neutral-tone syllable) so that abbreviations like 集成电路(ic) survive.
_PINYIN = re.compile(
    rf"(?<=[\u3400-\u9fff\uf900-\ufaff])\(\s*(?:[a-zü]*[{_TONE_VOWELS}][a-zü{_TONE_VOWELS}]*"
    rf"|{_NEUTRAL_SYLLABLES})\s*\)"
)
# Control characters (C0 but tab and line ends, DEL, C1) and the bidi controls that reorder what a reader sees
# (U+202E makes "exe.txt" read "txt.exe"): nothing a page means to say, everything a terminal or mail client obeys.
_UNSAFE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_ESCAPE_SEQUENCE = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[@-Z\\-_])")  # ANSI CSI, OSC
_LINE_ENDS = re.compile(r"\r\n?|[\x0b\x0c\x85\u2028\u2029]")
_TITLE_PREFIX = re.compile(r"^\s*(?:[•·\-*]\s*)?(?:【[^】]{1,20}】\s*)+")
_NOT_WORD = re.compile(r"[\W_]+")

# A short line that starts the page footer: everything from it to the end is site furniture.
_FOOTER_START = re.compile(
    r"^(?:有想补充的信息|我要爆料|投稿(?:须知|提示)|【?打印本页】?|【?关闭窗口】?|免责声明"
    r"|©|copyright|版权所有|责任编辑|上一篇[::]|下一篇[::]|主办单位[::]|网站地图$)",
    re.IGNORECASE,
)
# A short line that is site furniture wherever it stands (header, share bar, hotline, ICP number).
_FURNITURE_LINE = re.compile(
    r"分享到|扫一扫|打印本页|关闭窗口|收藏本页|字号[::]?\s*[大中小]|浏览次数|点击数[::]|阅读次数"
    r"|icp备|icp证|公网安备|版权所有"
    r"|^(?:联系我们|企业入驻|招商中心|立即获取|获取园区招商政策资料|确认|关闭)$"
    r"|^(?:投资|服务|招商)?(?:咨询)?热线[::]?\s*[\d-]*$|^\d{3,4}-\d{3,4}-?\d{3,4}$"
    r"|^当前位置|>\s*正文$|^来源[::]|^发布时间[::]|^【(?:大|中|小)】"
    r"|^\d{4}-\d{2}-\d{2}(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?(?:\s+来源[::].*)?$",
    re.IGNORECASE,
)
_FURNITURE_MAX = 60  # furniture lines are short; a long line is content even if it names a hotline
_FOOTER_MAX = 40
_BODY_BEFORE_FOOTER = 80  # characters of content before a footer marker: a marker in the header is no footer


@cache
def _converter() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def strip_unsafe(text: str, *, one_line: bool = False) -> str:
    """Remove control characters and bidi overrides; line ends become \\n (a space, for a `one_line` title)."""
    text = _UNSAFE.sub("", _LINE_ENDS.sub("\n", _ESCAPE_SEQUENCE.sub("", text)))
    return " ".join(text.split()) if one_line else text


def strip_pinyin(text: str) -> str:
    """Remove pinyin annotations after characters: 強(qiáng)力 -> 強力 (after NFKC)."""
    return _PINYIN.sub("", text)


def to_simplified(text: str) -> str:
    """NFKC, pinyin-annotation removal and Traditional -> Simplified; readable text."""
    text = unicodedata.normalize("NFKC", text)
    return _converter().convert(strip_pinyin(text))


def fold(text: str) -> str:
    """Whitespace and punctuation folding: keep only letters and digits, lower-cased."""
    return _NOT_WORD.sub("", text).lower()


def strip_title_prefix(title: str) -> str:
    """Drop list bullets and bracketed prefixes: '• 【即墨区招商】标题' -> '标题'."""
    return _TITLE_PREFIX.sub("", title).strip()


def is_furniture(line: str) -> bool:
    """True for a short line that is site furniture (share bar, hotline, ICP number, header)."""
    stripped = line.strip(" \t•·-*")
    return len(stripped) <= _FURNITURE_MAX and bool(_FURNITURE_LINE.search(stripped))


def strip_known_boilerplate(text: str) -> str:
    """Cut the page footer (from 投稿须知/我要爆料/版权所有... to the end) and drop furniture lines."""
    lines = unicodedata.normalize("NFKC", text).splitlines()
    kept: list[str] = []
    body = 0
    for line in lines:
        stripped = line.strip(" \t•·-*")
        if body >= _BODY_BEFORE_FOOTER and len(stripped) <= _FOOTER_MAX and _FOOTER_START.match(stripped):
            break
        if not is_furniture(line):
            kept.append(line)
            body += len(stripped)
    return "\n".join(kept).strip()


def common_lines(texts: Iterable[str], min_share: float = 0.5, min_docs: int = 3) -> set[str]:
    """Folded lines present in at least `min_share` of a portal's pages (and `min_docs` pages)."""
    counts: dict[str, int] = {}
    total = 0
    for text in texts:
        total += 1
        for line in {fold(line) for line in text.splitlines()} - {""}:
            counts[line] = counts.get(line, 0) + 1
    floor = max(min_docs, min_share * total)
    return {line for line, n in counts.items() if n >= floor}


def strip_boilerplate(lines: list[str], common: set[str]) -> list[str]:
    """Drop the lines whose folded form is in `common` (from `common_lines`) or is furniture."""
    return [line for line in lines if fold(line) not in common and not is_furniture(line)]


def normalize(text: str) -> str:
    """The comparison form: known boilerplate stripped, simplified, punctuation and space folded."""
    return fold(strip_known_boilerplate(to_simplified(text)))


def content_hash(text: str) -> str:
    """Stable hex digest of `normalize(text)`: cosmetic changes keep the same hash."""
    return hashlib.blake2b(normalize(text).encode("utf-8"), digest_size=16).hexdigest()
