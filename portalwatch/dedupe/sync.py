"""Bring the index of stored articles up to date with the database (the source of truth)."""

from __future__ import annotations

from collections.abc import Generator
from typing import Protocol

from portalwatch.dedupe.index import DedupeIndex


class ArticleTexts(Protocol):
    def iter_article_texts(self, after_id: int = 0) -> Generator[tuple[int, str, str, str], None, None]: ...


def catch_up(index: DedupeIndex, store: ArticleTexts) -> int:
    """Add the database's newer articles; rebuild from scratch if the database lost the newest one."""
    last = index.last_article()
    if last is not None:
        rows = store.iter_article_texts(last[0] - 1)
        head = next(rows, None)
        rows.close()
        if head is None or (head[0], head[1]) != last:
            index.reset_stored()
    return index.sync(store.iter_article_texts(index.last_article_id))
