"""Open the dedupe index the way every command needs it: seeds, cache folder, caught up with the store."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from portalwatch.dedupe.index import DedupeIndex
from portalwatch.dedupe.policy import NewTextRule
from portalwatch.dedupe.sync import ArticleTexts, catch_up
from portalwatch.seeds import load_seeds
from portalwatch.storage import Store

CACHE_FOLDER = "dedupe"


class _DedupeSettings(Protocol):
    new_share: float
    new_chars: int


class _Config(Protocol):
    seeds_dir: Path
    database: str
    dedupe: _DedupeSettings

    @property
    def data_dir(self) -> Path: ...


def open_index(config: _Config, store: ArticleTexts | None = None) -> DedupeIndex:
    """The index of the seeds and every stored article, saved again if it had to catch up."""
    rule = NewTextRule(share=config.dedupe.new_share, chars=config.dedupe.new_chars)
    index = DedupeIndex.open(Path(config.data_dir) / CACHE_FOLDER, load_seeds(config.seeds_dir), rule)
    if catch_up(index, store or Store(config.database)):
        index.save()
    return index
