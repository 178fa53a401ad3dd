"""The decision from the measured overlaps: duplicate of one known document, or new (perhaps partly repeating)."""

from __future__ import annotations

from dataclasses import dataclass

from portalwatch.dedupe.overlap import Overlap
from portalwatch.dedupe.policy import PARTIAL_SHARE, NewTextRule, Thresholds
from portalwatch.models import Match, Verdict


@dataclass(frozen=True)
class Assessment:
    """A text measured against the index: its length, its new characters, every verified candidate."""

    length: int  # folded characters
    new_chars: int  # ... found in none of the candidates
    candidates: list[tuple[Overlap, Match]]


def is_copy(overlap: Overlap, thresholds: Thresholds) -> bool:
    """Whether the known document holds enough of the text (see DUPLICATE_SCORE and MIN_SHARED)."""
    if overlap.shared < thresholds.min_shared:  # a phrase or a name in common, or a short text
        return overlap.score >= thresholds.short or min(overlap.score, overlap.contains) >= thresholds.duplicate
    return overlap.score >= thresholds.duplicate


def decide(assessment: Assessment, rule: NewTextRule, thresholds: Thresholds) -> Verdict:
    """Duplicate of the best-holding candidate unless the text is substantially new; else new."""
    share = assessment.new_chars / assessment.length if assessment.length else 1.0
    facts = {"new_chars": assessment.new_chars, "new_share": round(share, 4)}
    if not assessment.candidates:
        return Verdict(status="new", **facts)
    overlap, match = max(assessment.candidates, key=lambda c: c[0].score)
    if not rule.substantial(assessment.new_chars, assessment.length) and is_copy(overlap, thresholds):
        return Verdict(status="duplicate", duplicate_of=match, **facts)
    overlap, match = max(assessment.candidates, key=lambda c: c[0].contained)
    partial = match if overlap.contained >= PARTIAL_SHARE else None
    return Verdict(status="new", partly_repeats=partial, **facts)
