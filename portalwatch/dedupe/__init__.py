"""Dedupe: decide for every article whether the reader already knows it."""

from portalwatch.dedupe.index import DedupeIndex, seed_source
from portalwatch.dedupe.sync import catch_up

__all__ = ["DedupeIndex", "catch_up", "seed_source"]
