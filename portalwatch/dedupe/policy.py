"""Every number that decides what counts as a duplicate, in one place.

The thresholds marked "tuned" are chosen on the tuning half of the labelled set
(`bench/dedupe_quality.py` sweeps them and prints the best setting beside these) and reported on the
other half; the set is built by
`bench/make_dedupe_set.py` without any product code, from text no rule here was written from.
"""

from __future__ import annotations

from dataclasses import dataclass

# Shingle length in folded characters (no spaces or punctuation). 8 characters of Chinese are
# about three words: long enough that unrelated articles in the same template share few
# shingles, short enough that a changed number or a reworded clause costs only a few.
SHINGLE = 8

# Winnowing window in shingles. Any common run of SHINGLE + WINDOW - 1 = 31 characters is
# guaranteed to share a fingerprint, so a 40-character list summary yields at least one.
WINDOW = 24

# A known article is verified when the fingerprints it shares carry this share of the weight of the
# fingerprints read for the query. Low on purpose: it only selects candidates; the decision is verified below.
CANDIDATE_SHARE = 0.1

# At most this many candidates are verified exactly (most shared weight first), and only those sharing
# at least CANDIDATE_RELATIVE of the best candidate's weight: a copy's source shares its rare
# fingerprints, and formulaic neighbours, which share only common ones, fall far behind it.
MAX_CANDIDATES = 4
CANDIDATE_RELATIVE = 0.5

# Postings a check reads, per fingerprint of its text. The text's keys (its fingerprints and the pairs
# of consecutive ones) are read rarest first, each with every known article that holds it, until this
# budget is spent: rare keys, which carry the weight, are always read, and a formulaic one (stock
# phrases, furniture, found in thousands of articles) is left out rather than read in part, so a lookup
# stays independent of the archive's size and an article's age does not decide whether its copy is
# found. In an archive where every single fingerprint is common, pairs of them are still rare.
POSTINGS_PER_FINGERPRINT = 64

# Duplicate when the known article holds at least this share of the text's IDF-weighted shingles
# (tuned). Weighting by inverse document frequency makes a formulaic sentence found in thousands of
# articles count for little, and a rare passage for much.
DUPLICATE_SCORE = 0.4

# A text sharing fewer distinct shingles than this with a known document shares only a phrase or a
# name (a policy title a report quotes), or it is short: it is a duplicate only if the known document
# holds nearly all of it (SHORT_SCORE of its weighted distinct shingles, tuned) or resembles it the other
# way too. Distinct shingles: a notice that names a known policy in its title and again as its
# attachment holds that name twice, yet it is still only a name.
MIN_SHARED = 80
SHORT_SCORE = 0.65

# Learned boilerplate lines (lines repeated on LEARN_PAGES pages of one portal or seed file) are left
# out of the comparison, unless less than MIN_KEPT_SHARE of the text would remain.
LEARN_PAGES = 3
MIN_KEPT_SHARE = 0.2

# A new article is recorded as partly repeating a known one when that one holds at least this share
# of its characters.
PARTIAL_SHARE = 0.1

# Substantially new (configurable as dedupe.new_share / dedupe.new_chars): an article with at least
# this share of its characters, and at least this many, found in no known article is new, whatever
# else it repeats.
NEW_SHARE = 1 / 3
NEW_CHARS = 100


@dataclass(frozen=True)
class NewTextRule:
    """When an article that repeats known text is still new: enough of it is found nowhere else."""

    share: float = NEW_SHARE
    chars: int = NEW_CHARS

    def substantial(self, new_chars: int, length: int) -> bool:
        return new_chars >= self.chars and new_chars >= self.share * length


@dataclass(frozen=True)
class Thresholds:
    """How much of a text one known document must hold for the text to be its duplicate."""

    duplicate: float = DUPLICATE_SCORE
    short: float = SHORT_SCORE
    min_shared: int = MIN_SHARED
