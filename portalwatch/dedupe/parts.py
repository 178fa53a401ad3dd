"""Stored-article segments on disk: one folder of .npy arrays per saved batch, memory-mapped when opened.

A crawl maps the parts and reads only the pages a check touches (postings around its
fingerprints, the texts of its candidates), so its memory does not grow with the archive, and a
save appends one part for the articles added since: nothing already saved is rewritten. Small parts
are merged into their neighbour as they accumulate, so a lookup visits a logarithmic number of them.
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
import zlib
from pathlib import Path

import numpy as np

from portalwatch.dedupe.documents import DocInfo, DocTable
from portalwatch.dedupe.postings import SavedPostings, _sorted, grouped, ungrouped
from portalwatch.dedupe.segment import Segment

PART_FORMAT = 2  # bump when the arrays of a part change
POSTINGS = ("keys", "starts", "docs", "fence")  # the `grouped` arrays
ARRAYS = (*POSTINGS, "article_ids", "sorted_hashes", "hash_order", "offsets", "blob", "name_offsets", "names")
MERGE_MAX_DOCS = 200_000  # parts are merged only up to this size: a merge never rewrites a large part


class DiskDocs:
    """A saved document table: the same questions as `DocTable`, answered from memory-mapped arrays."""

    def __init__(self, arrays: dict[str, np.ndarray]) -> None:
        self.a = arrays

    def __len__(self) -> int:
        return len(self.a["article_ids"])

    def info(self, doc: int) -> DocInfo:
        offsets = self.a["name_offsets"]
        source, title = json.loads(self.a["names"][offsets[doc] : offsets[doc + 1]].tobytes().decode("utf-8"))
        return DocInfo(source, title, int(self.a["article_ids"][doc]))

    def text(self, doc: int) -> str:
        offsets = self.a["offsets"]
        return zlib.decompress(self.a["blob"][offsets[doc] : offsets[doc + 1]].tobytes()).decode("utf-8")

    def find_exact(self, exact_hash: int) -> int | None:
        hashes = self.a["sorted_hashes"]
        at = int(np.searchsorted(hashes, np.uint64(exact_hash)))
        if at < len(hashes) and int(hashes[at]) == exact_hash:
            return int(self.a["hash_order"][at])
        return None

    def text_bytes(self) -> int:
        return len(self.a["blob"])


def _table_arrays(docs: DocTable) -> dict[str, np.ndarray]:
    columns = docs.to_arrays()
    names = [json.dumps([s, t], ensure_ascii=False).encode("utf-8") for s, t in zip(docs.sources, docs.titles,
                                                                                   strict=True)]
    order = np.argsort(columns["hashes"], kind="stable")
    return {
        "article_ids": columns["article_ids"],
        "sorted_hashes": columns["hashes"][order],
        "hash_order": order.astype(np.int64),
        "offsets": columns["offsets"],
        "blob": columns["blob"],
        "name_offsets": np.concatenate([[0], np.cumsum([len(n) for n in names], dtype=np.int64)]),
        "names": np.frombuffer(b"".join(names), dtype=np.uint8),
    }


def write_part(folder: Path, arrays: dict[str, np.ndarray]) -> str:
    """Write one part's arrays into a new folder under `folder` (renamed into place); returns its name."""
    name = f"part-{uuid.uuid4().hex[:12]}"
    tmp = folder / f".{name}.tmp"
    tmp.mkdir(parents=True)
    try:
        for key in ARRAYS:
            with (tmp / f"{key}.npy").open("wb") as f:
                np.save(f, np.ascontiguousarray(arrays[key]))
                f.flush()
                os.fsync(f.fileno())
        os.replace(tmp, folder / name)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return name


def segment_arrays(segment: Segment) -> dict[str, np.ndarray]:
    """The arrays of an in-memory segment, ready for `write_part`."""
    return {**grouped(*segment.postings.arrays()), **_table_arrays(segment.docs)}


def open_part(path: Path) -> Segment:
    """The saved part at `path`, memory-mapped; ValueError when it is missing or inconsistent."""
    try:
        # plain array views of the maps: the memmap subclass adds overhead to every small operation
        arrays = {key: np.asarray(np.load(path / f"{key}.npy", mmap_mode="r")) for key in ARRAYS}
    except (OSError, ValueError, EOFError) as exc:
        raise ValueError(f"{path.name}: unreadable dedupe index part ({exc})") from exc
    n = len(arrays["article_ids"])
    if not (len(arrays["offsets"]) == len(arrays["name_offsets"]) == n + 1 == len(arrays["hash_order"]) + 1
            and int(arrays["offsets"][-1]) == len(arrays["blob"])
            and int(arrays["name_offsets"][-1]) == len(arrays["names"])):
        raise ValueError(f"{path.name}: dedupe index part with columns of different lengths")
    try:
        postings = SavedPostings({key: arrays[key] for key in POSTINGS})
    except ValueError as exc:
        raise ValueError(f"{path.name}: dedupe index part with {exc}") from exc
    return Segment(DiskDocs(arrays), postings)


def merged_arrays(first: Segment, second: Segment) -> dict[str, np.ndarray]:
    """The arrays of two saved parts as one (the second's documents after the first's)."""
    a, b = first.docs.a, second.docs.a
    shift = len(first)
    (keys_a, docs_a), (keys_b, docs_b) = ungrouped(a), ungrouped(b)
    postings = grouped(*_sorted(np.concatenate([keys_a, keys_b]), np.concatenate([docs_a, docs_b + shift])))
    hashes = np.concatenate([a["sorted_hashes"], b["sorted_hashes"]])
    order = np.concatenate([a["hash_order"], b["hash_order"] + shift])
    by_hash = np.lexsort((order, hashes))
    return {
        **postings,
        "article_ids": np.concatenate([a["article_ids"], b["article_ids"]]),
        "sorted_hashes": hashes[by_hash],
        "hash_order": order[by_hash],
        "offsets": np.concatenate([a["offsets"][:-1], b["offsets"] + a["offsets"][-1]]),
        "blob": np.concatenate([a["blob"], b["blob"]]),
        "name_offsets": np.concatenate([a["name_offsets"][:-1], b["name_offsets"] + a["name_offsets"][-1]]),
        "names": np.concatenate([a["names"], b["names"]]),
    }
