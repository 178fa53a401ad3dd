"""Text normalisation shared by dedupe, classification and the digest.

Two forms: `to_simplified` is readable (punctuation and line breaks kept) and `normalize` is the
comparison form (no whitespace, no punctuation, lower case). Both are deterministic.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from functools import cache

import numpy as np
import opencc

_TONE_VOWELS = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜńňǹḿ"
_NEUTRAL_SYLLABLES = "de|le|me|men|zi|ge|ma|ne|ba|zhe|tou|li|shang|xia|mo"
# Pinyin in parentheses right after a CJK character: 強(qiáng) -> 強. A syllable must carry a tone
# mark (or be a common neutral-tone syllable) so that abbreviations like 集成电路(ic) survive.
# The pattern opens with the parenthesis (the look-behind then checks the character before it), so that the
# search skips from one parenthesis to the next.
_PINYIN = re.compile(
    rf"\((?<=[\u3400-\u9fff\uf900-\ufaff]\()\s*(?:[a-zü]*[{_TONE_VOWELS}][a-zü{_TONE_VOWELS}]*"
    rf"|{_NEUTRAL_SYLLABLES})\s*\)"
)
# Control characters (C0 but tab and line ends, DEL, C1) and the bidi controls that reorder what a reader sees
# (U+202E makes "exe.txt" read "txt.exe"): nothing a page means to say, everything a terminal or mail client obeys.
_UNSAFE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_ESCAPE_SEQUENCE = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[@-Z\\-_])")  # ANSI CSI, OSC
_LINE_ENDS = re.compile(r"\r\n?|[\x0b\x0c\x85\u2028\u2029]")
_TITLE_PREFIX = re.compile(r"^\s*(?:[•·\-*]\s*)?(?:【[^】]{1,20}】\s*)+")
_NOT_WORD = re.compile(r"[\W_]+")

# The generic furniture of Chinese portals. Every phrase here was checked against pages of real sites
# nobody on the project wrote; furniture peculiar to one portal or seed file is learned from repetition
# instead (`learnable_lines`, `portalwatch.dedupe.boilerplate`), never listed.
# A short line that starts the page footer: everything from it to the end is site furniture.
_FOOTER_START = re.compile(
    r"^(?:【?打印本页】?|【?关闭窗口】?|【(?:打印|关闭)】|责任编辑|上一篇[::]?|下一篇[::]?|主办单位[::]"
    r"|相关(?:新闻|阅读|文章)[::]?$|网站地图$)"
    r"|免责声明|版权所有|©|copyright",
    re.IGNORECASE,
)
# A disclaimer paragraph ends the article however long it is.
_DISCLAIMER = re.compile(r"^(?:免责|版权|特别|郑重)?声明\s*[:：]")
# A short line that is site furniture wherever it stands (share bar, print bar, ICP number, header).
_FURNITURE_LINE = re.compile(
    r"分享到|扫一扫|打印本页|关闭窗口|收藏本页|字号[::]?\s*[大中小]|浏览次数|点击数[::]"
    r"|icp备|icp证|公网安备|版权所有"
    r"|^当前位置|>\s*正文$|^来源[::]|^发布时间[::]|^【(?:大|中|小)】"
    r"|^\d{4}-\d{2}-\d{2}(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?(?:\s+来源[::].*)?$",
    re.IGNORECASE,
)
_FURNITURE_MAX = 60  # furniture lines are short; a long line is content even if it names a share bar
_FOOTER_MAX = 40
_BODY_BEFORE_FOOTER = 80  # content before a footer marker that makes it a footer whatever follows
_LEARNED_MAX = 100  # folded characters: longer lines are content, never learned as boilerplate
_EDGE_MARKS = " \t•·-*"


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


@cache
def _bmp_matches(pattern: re.Pattern[str]) -> np.ndarray:
    """Per code point of the Basic Multilingual Plane: whether `pattern` matches it (computed once a pattern)."""
    return np.fromiter((bool(pattern.match(chr(code))) for code in range(0x10000)), dtype=bool, count=0x10000)


def matching_codes(text: str, pattern: re.Pattern[str]) -> tuple[np.ndarray, np.ndarray]:
    """The text's code points, and for each whether `pattern` (a character class) matches it: looked up in a
    table, several times faster on a long text than running the pattern over it."""
    codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    matched = _bmp_matches(pattern)[np.minimum(codes, 0xFFFF)]
    if len(codes) and codes.max() > 0xFFFF:  # beyond the table (emoji, rare characters): rare
        for at in np.flatnonzero(codes > 0xFFFF):
            matched[at] = bool(pattern.match(text[at]))
    return codes, matched


_SHORT_TEXT = 200  # characters: a shorter text is folded by the pattern itself (the table's set-up costs more)


def fold(text: str) -> str:
    """Whitespace and punctuation folding: keep only letters and digits, lower-cased."""
    if len(text) < _SHORT_TEXT:
        return _NOT_WORD.sub("", text).lower()
    codes, removed = matching_codes(text, _NOT_WORD)
    return codes[~removed].tobytes().decode("utf-32-le", "surrogatepass").lower()


def strip_title_prefix(title: str) -> str:
    """Drop list bullets and bracketed prefixes: '• 【即墨区招商】标题' -> '标题'."""
    return _TITLE_PREFIX.sub("", title).strip()


def is_furniture(line: str) -> bool:
    """True for a short line that is site furniture (share bar, print bar, ICP number, header)."""
    stripped = line.strip(_EDGE_MARKS)
    return len(stripped) <= _FURNITURE_MAX and bool(_FURNITURE_LINE.search(stripped))


def drop_furniture(lines: list[str]) -> list[str]:
    """`lines` without furniture lines, cut at the footer: the one boilerplate rule for every reader.

    A short footer marker (责任编辑, 上一篇, 版权所有, ...) ends the article when enough content came before
    it, or more than follows it: a marker in the header (before the article) cuts nothing.
    """
    stripped = [line.strip(_EDGE_MARKS) for line in lines]
    after = [0] * (len(lines) + 1)
    for i in range(len(lines) - 1, -1, -1):
        after[i] = after[i + 1] + len(stripped[i])
    kept: list[str] = []
    body = 0
    for i, line in enumerate(lines):
        is_footer = (len(stripped[i]) <= _FOOTER_MAX and _FOOTER_START.search(stripped[i])) or _DISCLAIMER.match(
            stripped[i])
        if is_footer and body and (body >= _BODY_BEFORE_FOOTER or body >= after[i + 1]):
            break
        if not is_furniture(line):
            kept.append(line)
            body += len(stripped[i])
    return kept


def strip_furniture(text: str) -> str:
    """`drop_furniture` on the lines of `text` (after NFKC)."""
    return "\n".join(drop_furniture(unicodedata.normalize("NFKC", text).splitlines())).strip()


def line_key(line: str) -> int:
    """A line's identity for boilerplate learning: 63-bit hash of its folded, simplified form."""
    digest = hashlib.blake2b(fold(to_simplified(line)).encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "little") >> 1


def learnable_lines(text: str) -> set[int]:
    """Keys of the short lines of `text` that could be site furniture if other pages repeat them."""
    keys = set()
    for line in text.splitlines():
        folded = fold(to_simplified(line))
        if 2 <= len(folded) <= _LEARNED_MAX:
            keys.add(line_key(line))
    return keys


def without_lines(text: str, keys: frozenset[int] | set[int]) -> str:
    """`text` without the lines whose `line_key` is in `keys` (learned boilerplate)."""
    if not keys:
        return text
    return "\n".join(line for line in text.splitlines() if line_key(line) not in keys)


def normalize(text: str) -> str:
    """The comparison form: generic furniture stripped, simplified, punctuation and space folded."""
    return fold(strip_furniture(to_simplified(text)))


def content_hash(text: str) -> str:
    """Stable hex digest of `normalize(text)`: cosmetic changes keep the same hash."""
    return hashlib.blake2b(normalize(text).encode("utf-8"), digest_size=16).hexdigest()
