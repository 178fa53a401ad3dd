"""Site furniture learned, not listed: the lines a portal repeats on many of its pages.

Every page that arrives counts its short lines for its portal in the store; a line found on
LEARN_PAGES pages of one portal is that portal's boilerplate and is left out when its pages are
compared (seed files get the same treatment from their own articles, see `seed_file_boilerplate`).
"""

from __future__ import annotations

from typing import Protocol

from portalwatch.dedupe.policy import LEARN_PAGES
from portalwatch.textnorm import learnable_lines

MAX_LINES = 400  # lines counted per page: a page of thousands of short lines is a list, not furniture


class LineCounts(Protocol):
    def learn_lines(self, scope: str, keys: set[int]) -> int: ...

    def learned_lines(self, scope: str, min_pages: int) -> frozenset[int]: ...


class Boilerplate:
    """Learns each portal's furniture from the store as its pages arrive."""

    def __init__(self, store: LineCounts, min_pages: int = LEARN_PAGES) -> None:
        self.store = store
        self.min_pages = min_pages

    def observe(self, scope: str, text: str) -> frozenset[int]:
        """Count this page's lines for `scope` and return the scope's boilerplate (this page counted)."""
        keys = learnable_lines(text)
        if len(keys) > MAX_LINES:
            keys = set(sorted(keys)[:MAX_LINES])
        self.store.learn_lines(scope, keys)
        return self.store.learned_lines(scope, self.min_pages)

    def learned(self, scope: str) -> frozenset[int]:
        """The boilerplate learned so far for `scope`."""
        return self.store.learned_lines(scope, self.min_pages)
