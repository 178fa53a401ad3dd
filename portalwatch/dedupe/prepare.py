"""A text made ready for comparison: simplified, folded, hashed and fingerprinted once."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from portalwatch.dedupe.fingerprints import shingle_hashes, text_keys, window_fingerprints
from portalwatch.dedupe.policy import MIN_KEPT_SHARE
from portalwatch.textnorm import fold, strip_furniture, strip_title_prefix, to_simplified, without_lines


@dataclass(frozen=True)
class Prepared:
    """The comparison forms of one title and text."""

    simplified: str
    folded: str

    @cached_property
    def exact_hash(self) -> int:
        """64-bit hash of the folded text: equal for texts that differ only cosmetically."""
        return int.from_bytes(hashlib.blake2b(self.folded.encode("utf-8"), digest_size=8).digest(), "little")

    @cached_property
    def hashes(self) -> np.ndarray:
        """Shingle hashes in text order."""
        return shingle_hashes(self.folded)

    @cached_property
    def shingles(self) -> np.ndarray:
        """Distinct shingle hashes, sorted."""
        ordered = np.sort(self.hashes)
        return ordered[np.concatenate(([True], ordered[1:] != ordered[:-1]))] if len(ordered) > 1 else ordered

    @cached_property
    def window_fingerprints(self) -> np.ndarray:
        """The fingerprint of every window of shingles, in text order."""
        return window_fingerprints(self.hashes)

    @cached_property
    def _fingerprints_and_keys(self) -> tuple[np.ndarray, np.ndarray]:
        return text_keys(self.window_fingerprints)

    @property
    def fingerprints(self) -> np.ndarray:
        """Distinct winnowed fingerprints, sorted."""
        return self._fingerprints_and_keys[0]

    @property
    def keys(self) -> np.ndarray:
        """The keys of the index: the fingerprints (in `fingerprints` order), then the pairs of consecutive
        ones, spread evenly over their bits (`text_keys`)."""
        return self._fingerprints_and_keys[1]


def compose(title: str, text: str) -> str:
    """Title line plus text, without a title prefix and without repeating a title the text starts with."""
    title = strip_title_prefix(title)
    lines = text.strip().split("\n", 1)
    first = strip_title_prefix(lines[0])
    if title and fold(first) != fold(title):
        return title + "\n" + text
    return "\n".join([first, *lines[1:]])


def prepare(title: str, text: str, learned: frozenset[int] = frozenset()) -> Prepared:
    """Simplify, strip furniture, the `learned` boilerplate lines (see `line_key`) and title prefix, fold.

    Learned lines are kept when dropping them would leave less than MIN_KEPT_SHARE of the text: an
    article republished so often that its lines look like furniture is still compared whole.
    """
    simplified = strip_furniture(compose(to_simplified(title), to_simplified(text)))
    if learned:
        kept = without_lines(simplified, learned)
        if len(fold(kept)) >= MIN_KEPT_SHARE * len(fold(simplified)):
            simplified = kept
    return Prepared(simplified=simplified, folded=fold(simplified))
