"""The seed segment's cache: one .npz file, written atomically (stored articles are saved as parts)."""

from __future__ import annotations

import json
import os
import tempfile
import zipfile
from pathlib import Path

import numpy as np

from portalwatch.dedupe.documents import DocTable
from portalwatch.dedupe.postings import Postings
from portalwatch.dedupe.segment import Segment

FORMAT = 2  # bump when the file layout or anything in policy.py changes what is stored


def write_atomic(path: Path, write) -> None:
    """Call `write(file)` on a temporary file next to `path`, then rename it over `path`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name + ".", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def save_segment(path: Path, segment: Segment, meta: dict) -> None:
    """Write the segment and `meta` (JSON-able) to `path` in one file."""
    fps, docs = segment.postings.arrays()
    names = json.dumps(
        {"format": FORMAT, "meta": meta, "sources": segment.docs.sources, "titles": segment.docs.titles},
        ensure_ascii=False,
    ).encode("utf-8")
    arrays = {
        "fps": fps,
        "docs": docs,
        "names": np.frombuffer(names, dtype=np.uint8),
        **segment.docs.to_arrays(),
    }
    write_atomic(path, lambda f: np.savez(f, **arrays))


def load_segment(path: Path) -> tuple[Segment, dict]:
    """The segment saved at `path` and its meta; ValueError when the file is unreadable or stale."""
    try:
        with np.load(path) as data:
            arrays = {name: data[name] for name in data.files}
        names = json.loads(arrays.pop("names").tobytes().decode("utf-8"))
    except (OSError, KeyError, ValueError, EOFError, zipfile.BadZipFile) as exc:
        raise ValueError(f"{path.name}: unreadable dedupe index ({exc})") from exc
    if names.get("format") != FORMAT:
        raise ValueError(f"{path.name}: index format {names.get('format')}, expected {FORMAT}")
    table = DocTable.from_arrays(names["sources"], names["titles"], arrays)
    fps, docs = arrays["fps"], arrays["docs"]
    if len(fps) != len(docs) or (len(docs) and int(docs.max()) >= len(table)):
        raise ValueError(f"{path.name}: postings point outside the document table")
    return Segment(table, Postings(fps.astype(np.uint64), docs.astype(np.int32))), names["meta"]
