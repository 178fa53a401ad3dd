"""Every number that decides what counts as a duplicate, in one place.

The values are justified by the labelled set (`bench/data/dedupe_labelled.jsonl`, scored by
`bench/dedupe_quality.py`): see the comment on each.
"""

# Shingle length in folded characters (no spaces or punctuation). 8 characters of Chinese are
# about three words: long enough that unrelated articles in the same template share few
# shingles, short enough that a changed number or a reworded clause costs only a few.
SHINGLE = 8

# Winnowing window in shingles. Any common run of SHINGLE + WINDOW - 1 = 31 characters is
# guaranteed to share a fingerprint, so a 200-character list summary yields about a dozen.
WINDOW = 24

# A known article is verified when it shares this share of the query's fingerprints. Low
# on purpose: it only selects candidates; the decision is the exact containment below.
CANDIDATE_SHARE = 0.2

# At most this many candidates are verified exactly (best fingerprint overlap first).
MAX_CANDIDATES = 8

# Postings read per fingerprint. A fingerprint found in more articles than this is common
# (site boilerplate, stock phrases); only its oldest articles are read, which keeps a lookup
# independent of the corpus size and still finds the first copy of a popular article.
MAX_POSTINGS = 64

# Duplicate when at least this share of the query's shingles occurs in one known article
# (containment |Q ∩ K| / |Q|). "Substantially contained". On the labelled set the lowest
# duplicate scores 0.72 (an edited, republished copy) and the highest new article 0.32 (one
# quoting a paragraph); every threshold from 0.4 to 0.7 separates them, 0.5 sits in the middle.
DUPLICATE_CONTAINMENT = 0.5

# Texts shorter than this (folded characters) are compared as a whole (one shingle).
MIN_TEXT = SHINGLE

# A fingerprint found in this many known articles is site furniture or a stock phrase: a line
# mostly made of such fingerprints (COMMON_LINE_SHARE of its windows) is left out of the
# comparison, unless less than MIN_KEPT_SHARE of the text would remain (a text that is mostly
# widely known, such as an article republished everywhere, is compared whole). A republished
# article rarely has this many copies; a portal's footer reaches it after this many pages.
COMMON_DF = 50
COMMON_LINE_SHARE = 0.8
MIN_KEPT_SHARE = 0.2

# A text sharing fewer shingles than this with a known document is its duplicate only if it also
# resembles it the other way (the document is mostly contained in the text too). A policy notice
# whose body is an attachment is little more than the policy's name, and a known report may well
# quote that name: about 40-60 shared shingles. A list-page summary, the shortest copy that must
# match by containment, shares 110 or more (it runs 120+ characters).
MIN_SHARED = 80
