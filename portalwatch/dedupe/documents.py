"""The known documents: where each came from, its title and its text (compressed)."""

from __future__ import annotations

import zlib
from array import array
from dataclasses import dataclass

import numpy as np

NO_ARTICLE = -1


@dataclass(frozen=True)
class DocInfo:
    """One known document as a match names it."""

    source: str
    title: str
    article_id: int


class DocTable:
    """Append-only table of documents; a document's id is its position."""

    def __init__(self) -> None:
        self.sources: list[str] = []
        self.titles: list[str] = []
        self.article_ids = array("q")
        self.hashes = array("Q")
        self._offsets = array("q", [0])
        self._blob = bytearray()
        self._by_hash: dict[int, int] = {}

    def __len__(self) -> int:
        return len(self.sources)

    def append(self, info: DocInfo, text: str, exact_hash: int) -> int:
        """Store a document (its simplified text) and return its id."""
        doc = len(self.sources)
        self.sources.append(info.source)
        self.titles.append(info.title)
        self.article_ids.append(info.article_id)
        self.hashes.append(exact_hash)
        self._blob += zlib.compress(text.encode("utf-8"), 1)
        self._offsets.append(len(self._blob))
        self._by_hash.setdefault(exact_hash, doc)
        return doc

    def info(self, doc: int) -> DocInfo:
        return DocInfo(self.sources[doc], self.titles[doc], self.article_ids[doc])

    def text(self, doc: int) -> str:
        """The document's simplified text."""
        return zlib.decompress(self._blob[self._offsets[doc] : self._offsets[doc + 1]]).decode("utf-8")

    def find_exact(self, exact_hash: int) -> int | None:
        """The first document whose folded text has this hash."""
        return self._by_hash.get(exact_hash)

    def text_bytes(self) -> int:
        return len(self._blob)

    def to_arrays(self) -> dict[str, np.ndarray]:
        """Numeric columns for saving (sources and titles are saved separately)."""
        return {
            "article_ids": np.frombuffer(self.article_ids, dtype=np.int64),
            "hashes": np.frombuffer(self.hashes, dtype=np.uint64),
            "offsets": np.frombuffer(self._offsets, dtype=np.int64),
            "blob": np.frombuffer(self._blob, dtype=np.uint8),  # a view: save it before appending again
        }

    @classmethod
    def from_arrays(cls, sources: list[str], titles: list[str], arrays: dict[str, np.ndarray]) -> DocTable:
        """The inverse of `to_arrays`; raises ValueError when the columns disagree."""
        table = cls()
        n = len(sources)
        if not (len(titles) == len(arrays["article_ids"]) == len(arrays["hashes"]) == n
                and len(arrays["offsets"]) == n + 1 and arrays["offsets"][-1] == len(arrays["blob"])):
            raise ValueError("document columns of different lengths")
        table.sources, table.titles = list(sources), list(titles)
        table.article_ids = array("q", arrays["article_ids"].astype(np.int64).tobytes())
        table.hashes = array("Q", arrays["hashes"].astype(np.uint64).tobytes())
        table._offsets = array("q", arrays["offsets"].astype(np.int64).tobytes())
        table._blob = bytearray(memoryview(arrays["blob"]))
        for doc, h in enumerate(table.hashes):
            table._by_hash.setdefault(h, doc)
        return table
