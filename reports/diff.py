"""Inline diff of two versions of a Chinese text: by sentences, then by words inside changed sentences.

Chinese has no spaces, so a "word" here is a run of digits (`32`, `1,197.5`), a Latin word, or one character:
a changed figure is highlighted whole, not digit by digit. Long unchanged runs are folded to a few characters
of context on each side.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Literal

from reports import elide

SegmentKind = Literal["same", "del", "ins", "fold", "cut"]

_SENTENCE = re.compile(r"[^。！？；!?;\n]*(?:[。！？；!?;]+[”’」』）)]*|\n+|$)")
_TOKEN = re.compile(r"\d+(?:[.,]\d+)*|[A-Za-z]+|\s+|.", re.S)
CHAR_DIFF_LIMIT = 3000  # changed blocks longer than this are shown as a whole deletion and insertion
MIN_SIMILARITY = 0.3  # below this, a changed block reads better as "old removed, new added"


@dataclass(frozen=True)
class Segment:
    """A run of text that is unchanged, deleted, inserted, folded away (unchanged, hidden) or cut (the hidden
    rest of a long deletion or insertion); for "fold" and "cut", `text` is what was hidden."""

    kind: SegmentKind
    text: str


def sentences(text: str) -> list[str]:
    """`text` cut after each sentence end or line break; joining the parts gives `text` back."""
    return [part for part in _SENTENCE.findall(text) if part]


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(text)


def inline_diff(old: str, new: str, *, context: int = 40, fold_over: int = 120,
                max_change: int = 400) -> list[Segment]:
    """The changes from `old` to `new` as segments: unchanged runs longer than `fold_over` folded, each
    deletion or insertion cut after `max_change` characters (a rewritten page must not flood the mail)."""
    segments: list[Segment] = []
    a, b = sentences(old), sentences(new)
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        before, after = "".join(a[i1:i2]), "".join(b[j1:j2])
        if tag == "equal":
            segments.append(Segment("same", before))
        elif tag == "replace":
            segments.extend(_word_diff(before, after))
        elif tag == "delete":
            segments.append(Segment("del", before))
        else:
            segments.append(Segment("ins", after))
    folded = fold(_absorb_slivers(_merge(segments)), context=context, fold_over=fold_over)
    return cut_long_changes(folded, max_change)


def _word_diff(before: str, after: str) -> list[Segment]:
    if len(before) + len(after) > CHAR_DIFF_LIMIT:
        return [Segment("del", before), Segment("ins", after)]
    a, b = tokens(before), tokens(after)
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    if matcher.ratio() < MIN_SIMILARITY:
        return [Segment("del", before), Segment("ins", after)]
    out: list[Segment] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            out.append(Segment("same", "".join(a[i1:i2])))
            continue
        if tag in ("replace", "delete"):
            out.append(Segment("del", "".join(a[i1:i2])))
        if tag in ("replace", "insert"):
            out.append(Segment("ins", "".join(b[j1:j2])))
    return out


def _merge(segments: list[Segment]) -> list[Segment]:
    """Neighbouring segments of one kind joined, empty ones dropped."""
    out: list[Segment] = []
    for seg in segments:
        if not seg.text:
            continue
        if out and out[-1].kind == seg.kind:
            out[-1] = Segment(seg.kind, out[-1].text + seg.text)
        else:
            out.append(seg)
    return out


def _absorb_slivers(segments: list[Segment]) -> list[Segment]:
    """A one-character unchanged run between two changes joins them: `[-32亿元-]{+35亿美元+}`, not confetti."""
    out: list[Segment] = []
    for i, seg in enumerate(segments):
        inner = 0 < i < len(segments) - 1
        if inner and seg.kind == "same" and len(seg.text) <= 1 and segments[i + 1].kind != "same":
            out.extend((Segment("del", seg.text), Segment("ins", seg.text)))
        else:
            out.append(seg)
    return _regroup(out)


def _regroup(segments: list[Segment]) -> list[Segment]:
    """Within each run of changes, all deletions first, then all insertions, each joined."""
    out: list[Segment] = []
    dels: list[str] = []
    inss: list[str] = []

    def flush() -> None:
        if dels:
            out.append(Segment("del", "".join(dels)))
        if inss:
            out.append(Segment("ins", "".join(inss)))
        dels.clear()
        inss.clear()

    for seg in segments:
        if seg.kind == "same":
            flush()
            out.append(seg)
        else:
            (dels if seg.kind == "del" else inss).append(seg.text)
    flush()
    return [s for s in out if s.text]


def fold(segments: list[Segment], *, context: int, fold_over: int) -> list[Segment]:
    """Unchanged runs longer than `fold_over` cut to `context` characters next to each change."""
    out: list[Segment] = []
    last = len(segments) - 1
    for i, seg in enumerate(segments):
        if seg.kind != "same" or len(seg.text) <= fold_over:
            out.append(seg)
            continue
        head = elide.head(seg.text, context) if i > 0 else ""
        tail = elide.tail(seg.text, context) if i < last else ""
        hidden = seg.text[len(head):len(seg.text) - len(tail)]
        out.extend(s for s in (Segment("same", head), Segment("fold", hidden), Segment("same", tail)) if s.text)
    return out


def cut_long_changes(segments: list[Segment], max_change: int) -> list[Segment]:
    out: list[Segment] = []
    for seg in segments:
        if seg.kind in ("del", "ins") and len(seg.text) > max_change:
            shown = elide.head(seg.text, max_change) or seg.text[:max_change]
            out.extend((Segment(seg.kind, shown), Segment("cut", seg.text[len(shown):])))
        else:
            out.append(seg)
    return out


def plain(segments: list[Segment]) -> str:
    """The diff as text: `[-removed-]`, `{+added+}`, `[… N 字未变 …]` for folded runs, `[… 另 N 字 …]` for cuts."""
    parts = []
    for seg in segments:
        if seg.kind == "del":
            parts.append(f"[-{seg.text}-]")
        elif seg.kind == "ins":
            parts.append(f"{{+{seg.text}+}}")
        elif seg.kind == "fold":
            parts.append(f" [… {len(seg.text)} 字未变 …] ")
        elif seg.kind == "cut":
            parts.append(f"[… 另 {len(seg.text)} 字 …]")
        else:
            parts.append(seg.text)
    return "".join(parts)
