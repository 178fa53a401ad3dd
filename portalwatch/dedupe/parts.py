"""Stored-article segments on disk: one folder of .npy arrays per saved batch, memory-mapped when opened.

A crawl maps the parts and reads only the pages a check touches (postings around its
fingerprints, the texts of its candidates), so its memory does not grow with the archive, and a
save appends one part for the articles added since: nothing already saved is rewritten. Small parts
are merged into their neighbour as they accumulate, so a lookup visits a logarithmic number of them; a
merge reads and writes its parts a slice at a time, so its memory does not grow with theirs either.
"""

from __future__ import annotations

import json
import mmap
import os
import shutil
import uuid
import zlib
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import numpy as np

from portalwatch.dedupe.documents import DocInfo, DocTable
from portalwatch.dedupe.fingerprints import KEY_BITS
from portalwatch.dedupe.kernels import position_in_uniform
from portalwatch.dedupe.postings import SavedPostings, _sorted, bucket_bits, bucket_starts, grouped
from portalwatch.dedupe.segment import Segment

PART_FORMAT = 3  # bump when the arrays of a part change
POSTINGS = ("keys", "starts", "docs", "buckets")  # the `grouped` arrays
ARRAYS = (*POSTINGS, "article_ids", "sorted_hashes", "hash_order", "offsets", "blob", "name_offsets", "names")
MERGE_MAX_DOCS = 500_000  # parts merge only up to this size: a merge of large parts is rare (1 in 250,000 articles)
MERGE_POSTINGS = 2_000_000  # postings of each part a merge holds in memory at a time
_COPY_BYTES = 1 << 24  # bytes of a file a merge copies at a time


class DiskDocs:
    """A saved document table: the same questions as `DocTable`, answered from memory-mapped arrays."""

    def __init__(self, arrays: dict[str, np.ndarray], path: Path, maps: list[mmap.mmap] | None = None) -> None:
        self.a = arrays
        self.path = path  # the part's folder
        self._maps = maps or []  # the part's file mappings (its postings' arrays too)

    def release(self) -> None:
        """Give back the pages of the part's files this process holds: they stay in the kernel's page cache,
        and a later read maps them again without reading the disk."""
        advice = getattr(mmap, "MADV_DONTNEED", None)  # not on every system: the pages then stay until closed
        for file_map in self._maps if advice is not None else ():
            with suppress(OSError, ValueError):
                file_map.madvise(advice)

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
        """The first document whose folded text has this hash (the hashes are sorted and evenly spread)."""
        hashes = self.a["sorted_hashes"]
        if not len(hashes):
            return None
        at = position_in_uniform(hashes, np.uint64(exact_hash))
        while at > 0 and hashes[at - 1] == hashes[at]:  # the first of equal hashes
            at -= 1
        return int(self.a["hash_order"][at]) if at >= 0 else None

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


@contextmanager
def _new_part(folder: Path) -> Iterator[tuple[str, Path]]:
    """(name, temporary folder) of a part being written; renamed into place when the block ends."""
    name = f"part-{uuid.uuid4().hex[:12]}"
    tmp = folder / f".{name}.tmp"
    tmp.mkdir(parents=True)
    try:
        yield name, tmp
        os.replace(tmp, folder / name)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _save(path: Path, values: np.ndarray) -> None:
    with path.open("wb") as f:
        np.save(f, np.ascontiguousarray(values))
        f.flush()
        os.fsync(f.fileno())


def write_part(folder: Path, arrays: dict[str, np.ndarray]) -> str:
    """Write one part's arrays into a new folder under `folder` (renamed into place); returns its name."""
    with _new_part(folder) as (name, tmp):
        for key in ARRAYS:
            _save(tmp / f"{key}.npy", arrays[key])
    return name


def segment_arrays(segment: Segment) -> dict[str, np.ndarray]:
    """The arrays of an in-memory segment, ready for `write_part`."""
    return {**grouped(*segment.postings.arrays()), **_table_arrays(segment.docs)}


def open_part(path: Path) -> Segment:
    """The saved part at `path`, memory-mapped; ValueError when it is missing or inconsistent."""
    try:
        mapped = {key: _mapped(path / f"{key}.npy") for key in ARRAYS}
    except (OSError, ValueError, EOFError) as exc:
        raise ValueError(f"{path.name}: unreadable dedupe index part ({exc})") from exc
    arrays = {key: values for key, (values, _) in mapped.items()}
    n = len(arrays["article_ids"])
    if not (len(arrays["offsets"]) == len(arrays["name_offsets"]) == n + 1 == len(arrays["hash_order"]) + 1
            and int(arrays["offsets"][-1]) == len(arrays["blob"])
            and int(arrays["name_offsets"][-1]) == len(arrays["names"])):
        raise ValueError(f"{path.name}: dedupe index part with columns of different lengths")
    try:
        postings = SavedPostings({key: arrays[key] for key in POSTINGS})
    except ValueError as exc:
        raise ValueError(f"{path.name}: dedupe index part with {exc}") from exc
    return Segment(DiskDocs(arrays, path, [file_map for _, file_map in mapped.values() if file_map]), postings)


def _mapped(path: Path) -> tuple[np.ndarray, mmap.mmap | None]:
    """A one-dimensional .npy file as a read-only array over a map of the file (plain ndarray: numpy's memmap
    subclass adds overhead to every small operation), and the map; an empty array maps nothing."""
    dtype, length, start = _npy_head(path)
    if not length:
        return np.empty(0, dtype=dtype), None
    with path.open("rb") as f:
        file_map = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
    return np.frombuffer(file_map, dtype=dtype, count=length, offset=start), file_map


def resident_bytes() -> int | None:
    """Bytes of memory this process holds (its own, and the pages of files it maps: the index parts, its
    libraries); None where the system does not say (no /proc)."""
    try:
        fields = Path("/proc/self/statm").read_text().split()
    except OSError:
        return None
    return int(fields[1]) * mmap.PAGESIZE


def write_merged(folder: Path, first: Segment, second: Segment, slice_postings: int = MERGE_POSTINGS) -> str:
    """Write two saved parts as one new part under `folder` (the second's documents after the first's);
    returns its name. The postings are merged `slice_postings` of each part at a time and the texts
    copied file to file, so the merge holds little of either part in memory."""
    a, b = first.docs.a, second.docs.a
    shift = len(first)
    hashes = np.concatenate([a["sorted_hashes"], b["sorted_hashes"]])
    order = np.concatenate([a["hash_order"], b["hash_order"] + shift])
    by_hash = np.lexsort((order, hashes))
    small = {
        "article_ids": np.concatenate([a["article_ids"], b["article_ids"]]),
        "sorted_hashes": hashes[by_hash],
        "hash_order": order[by_hash],
        "offsets": np.concatenate([a["offsets"][:-1], b["offsets"] + a["offsets"][-1]]),
        "name_offsets": np.concatenate([a["name_offsets"][:-1], b["name_offsets"] + a["name_offsets"][-1]]),
    }
    with _new_part(folder) as (name, tmp):
        _write_merged_postings(tmp, a, b, shift, slice_postings)
        for key, values in small.items():
            _save(tmp / f"{key}.npy", values)
        for key in ("blob", "names"):
            _Column.joined(tmp / f"{key}.npy", [first.docs.path / f"{key}.npy", second.docs.path / f"{key}.npy"])
    return name


class _Column:
    """A .npy file of known length written a slice at a time."""

    def __init__(self, path: Path, dtype: np.dtype, length: int) -> None:
        self._file = path.open("wb")
        self._dtype, self._length, self._written = np.dtype(dtype), length, 0
        np.lib.format.write_array_header_1_0(self._file, {"descr": np.lib.format.dtype_to_descr(self._dtype),
                                                          "fortran_order": False, "shape": (length,)})

    def write(self, values: np.ndarray) -> None:
        self._written += len(values)
        self._file.write(np.ascontiguousarray(values, dtype=self._dtype).tobytes())

    def close(self) -> None:
        """Close the file once it holds as many values as its header says (ValueError otherwise)."""
        self._file.flush()
        os.fsync(self._file.fileno())
        self._file.close()
        if self._written != self._length:
            raise ValueError(f"{self._file.name}: {self._written} values written, its header says {self._length}")

    @classmethod
    def joined(cls, path: Path, sources: list[Path]) -> None:
        """Write the values of the .npy files `sources` (one dtype) one after the other into `path`."""
        heads = [_npy_head(source) for source in sources]
        column = cls(path, heads[0][0], sum(length for _, length, _ in heads))
        for source, (dtype, length, start) in zip(sources, heads, strict=True):
            with source.open("rb") as f:
                f.seek(start)
                left = length * dtype.itemsize
                while left and (chunk := f.read(min(left, _COPY_BYTES))):
                    column._file.write(chunk)
                    left -= len(chunk)
            column._written += length - left // dtype.itemsize
        column.close()


def _npy_head(path: Path) -> tuple[np.dtype, int, int]:
    """(dtype, length, where the values start) of a one-dimensional .npy file."""
    with path.open("rb") as f:
        version = np.lib.format.read_magic(f)
        read = np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
        shape, _, dtype = read(f)
        return dtype, shape[0], f.tell()


def _write_merged_postings(tmp: Path, a: dict[str, np.ndarray], b: dict[str, np.ndarray], shift: int,
                           slice_postings: int) -> None:
    """The `grouped` columns of the two parts' postings merged, a slice of keys at a time."""
    bounds = np.union1d(_bounds(a, slice_postings), _bounds(b, slice_postings))
    ranges = list(zip([None, *bounds], [*bounds, None], strict=True))
    keys_total = sum(len(np.union1d(a["keys"][slice(*_range(a, r))], b["keys"][slice(*_range(b, r))]))
                     for r in ranges)
    bits = bucket_bits(keys_total)
    columns = {
        "keys": _Column(tmp / "keys.npy", np.uint64, keys_total),
        "starts": _Column(tmp / "starts.npy", np.int64, keys_total + 1),
        "docs": _Column(tmp / "docs.npy", np.int32, len(a["docs"]) + len(b["docs"])),
        "buckets": _Column(tmp / "buckets.npy", np.int64, (1 << bits) + 1),
    }
    columns["starts"].write(np.zeros(1, dtype=np.int64))
    counts = np.zeros(1 << bits, dtype=np.int64)  # keys per bucket, counted slice by slice
    postings_written = 0
    for r in ranges:
        (keys_a, docs_a), (keys_b, docs_b) = _postings_in(a, r), _postings_in(b, r)
        merged = grouped(*_sorted(np.concatenate([keys_a, keys_b]), np.concatenate([docs_a, docs_b + shift])))
        columns["keys"].write(merged["keys"])
        columns["starts"].write(merged["starts"][1:] + postings_written)
        columns["docs"].write(merged["docs"])
        counts += np.bincount((merged["keys"] >> np.uint64(KEY_BITS - bits)).astype(np.int64), minlength=1 << bits)
        postings_written += len(merged["docs"])
    columns["buckets"].write(bucket_starts(counts))
    for column in columns.values():
        column.close()


def _bounds(arrays: dict[str, np.ndarray], slice_postings: int) -> np.ndarray:
    """Keys that cut a part's postings into slices of about `slice_postings`."""
    starts = arrays["starts"]
    cuts = np.searchsorted(starts, np.arange(slice_postings, int(starts[-1]), slice_postings), side="right") - 1
    return np.asarray(arrays["keys"][np.unique(cuts)])


def _range(arrays: dict[str, np.ndarray], bounds: tuple[np.uint64 | None, np.uint64 | None]) -> tuple[int, int]:
    """Which of a part's distinct keys lie from the first bound (included) to the second (excluded)."""
    keys = arrays["keys"]
    lo, hi = bounds
    first = 0 if lo is None else int(np.searchsorted(keys, lo))
    return first, len(keys) if hi is None else int(np.searchsorted(keys, hi))


def _postings_in(arrays: dict[str, np.ndarray], bounds: tuple[np.uint64 | None, np.uint64 | None]
                 ) -> tuple[np.ndarray, np.ndarray]:
    """(key, document) postings of a part whose keys lie within `bounds` (see `_range`)."""
    first, last = _range(arrays, bounds)
    starts = arrays["starts"][first : last + 1]
    return np.repeat(arrays["keys"][first:last], np.diff(starts)), arrays["docs"][starts[0] : starts[-1]]
