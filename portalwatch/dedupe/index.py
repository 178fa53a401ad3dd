"""`DedupeIndex`: is a text new, or a copy of a seed article or a stored article?"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import NamedTuple

from filelock import FileLock

from portalwatch.dedupe.decision import Assessment, decide
from portalwatch.dedupe.documents import NO_ARTICLE, DocInfo
from portalwatch.dedupe.fingerprints import shingle_hashes
from portalwatch.dedupe.numbers import number_changes
from portalwatch.dedupe.overlap import Overlap, exact, idf, measure, new_chars, weigh
from portalwatch.dedupe.parts import (
    MERGE_MAX_DOCS,
    PART_FORMAT,
    open_part,
    resident_bytes,
    segment_arrays,
    write_merged,
    write_part,
)
from portalwatch.dedupe.persist import FORMAT, load_segment, save_segment, write_atomic
from portalwatch.dedupe.policy import (
    CANDIDATE_RELATIVE,
    CANDIDATE_SHARE,
    LEARN_PAGES,
    MIN_KEPT_SHARE,
    POSTINGS_PER_FINGERPRINT,
    SHINGLE,
    WINDOW,
    NewTextRule,
    Thresholds,
)
from portalwatch.dedupe.postings import BUCKET_KEYS
from portalwatch.dedupe.prepare import Prepared, prepare
from portalwatch.dedupe.segment import Segment, best_candidates, read_postings
from portalwatch.models import Match, SeedArticle, Verdict
from portalwatch.textnorm import fold, learnable_lines

log = logging.getLogger(__name__)


def _layout() -> str:
    """What a cached file must have been built with: format, shingling and the normalising code."""
    digest = hashlib.sha256(f"{FORMAT}:{PART_FORMAT}:{BUCKET_KEYS}:{SHINGLE}:{WINDOW}:{MIN_KEPT_SHARE}".encode())
    here = Path(__file__).parent
    for path in (here.parent / "textnorm.py", here / "prepare.py", here / "fingerprints.py"):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


LAYOUT = _layout()
MANIFEST = "stored.json"
PARTS = "stored"
LOCK = "dedupe.lock"
FLUSH_DOCS = 50_000  # stored articles held in memory before they are written as a part
# A check reads a few pages of every saved part; left alone, the pages a long crawl has read add up to the
# whole index in its resident memory. Every RESIDENT_CHECKS checks, once the process holds more than
# RESIDENT_BYTES, the parts' pages are given back (they stay in the page cache). Not sooner: a page given
# back costs a fault when the next check reads it again.
RESIDENT_CHECKS = 32
RESIDENT_BYTES = 1280 << 20


def seed_source(seed: SeedArticle) -> str:
    """`seeds/<file>#<n>`: how a seed article is named as a duplicate's source."""
    return f"seeds/{seed.source_file}#{seed.id.rsplit('#', 1)[1]}"


def seeds_key(seeds: Sequence[SeedArticle]) -> str:
    """Hash of the seeds' content and of the index layout: the seed cache's name."""
    digest = hashlib.sha256(LAYOUT.encode())
    for seed in seeds:
        for part in (seed.id, seed.source_file, seed.title, seed.text):
            digest.update(part.encode("utf-8") + b"\0")
    return digest.hexdigest()[:24]


def seed_file_boilerplate(seeds: Sequence[SeedArticle]) -> dict[str, frozenset[int]]:
    """Per seed file, the lines repeated in LEARN_PAGES or more of its articles (a list page's frame)."""
    counts: dict[str, Counter[int]] = {}
    for seed in seeds:
        counts.setdefault(seed.source_file, Counter()).update(learnable_lines(seed.text))
    return {name: frozenset(k for k, n in c.items() if n >= LEARN_PAGES) for name, c in counts.items()}


def build_seed_segment(seeds: Sequence[SeedArticle]) -> Segment:
    segment = Segment()
    learned = seed_file_boilerplate(seeds)
    for seed in seeds:
        prepared = prepare(seed.title, seed.text, learned[seed.source_file])
        segment.add(DocInfo(seed_source(seed), seed.title, NO_ARTICLE), prepared)
    return segment


class DedupeIndex:
    """Seed articles, stored articles (saved parts on disk, then this run's) and this session's additions."""

    def __init__(self, cache_dir: Path, seeds: Segment, parts: list[Segment] | None = None,
                 manifest: dict | None = None, rule: NewTextRule | None = None,
                 thresholds: Thresholds | None = None) -> None:
        self.cache_dir = Path(cache_dir)
        self.rule = rule or NewTextRule()
        self.thresholds = thresholds or Thresholds()
        self._seeds = seeds
        self._parts = parts or []  # saved, memory-mapped
        self._manifest = manifest or _empty_manifest()
        self._stored = Segment()  # stored articles added since the last save
        self._session = Segment()
        self._last_article_id = int(self._manifest["last_article_id"])
        # the saved index is unusable or belongs to another database: replace it whatever it holds
        self._reset = manifest is None
        self._overtaken = False  # another process saved meanwhile: this one saves nothing more
        self._checks = 0

    # -- opening and saving -------------------------------------------------------------------

    @classmethod
    def open(cls, cache_dir: Path, seeds: Sequence[SeedArticle], rule: NewTextRule | None = None) -> DedupeIndex:
        """Open the cached index in `cache_dir` (parts mapped, not read), rebuilding the seed part if needed."""
        cache_dir = Path(cache_dir)
        cache_dir.mkdir(parents=True, exist_ok=True)
        with FileLock(cache_dir / LOCK):
            seed_segment = _open_seed_segment(cache_dir, seeds)
            parts, manifest = _open_parts(cache_dir)
        return cls(cache_dir, seed_segment, parts, manifest, rule)

    def save(self) -> None:
        """Append the stored articles added since the last save as one new part (atomic, under the lock).

        Another process may have saved further articles meanwhile; then its parts are kept and ours
        are not written (the database has them: the next open catches up).
        """
        if self._overtaken or (not len(self._stored) and not self._reset):
            return
        with FileLock(self.cache_dir / LOCK):
            on_disk = _read_manifest(self.cache_dir)
            if not self._reset and on_disk is not None and on_disk != self._manifest:
                log.info("dedupe index in %s was saved by another process; not overwritten", self.cache_dir)
                self._overtaken = True  # what this process added stays known to it, unsaved
                return
            folder = self.cache_dir / PARTS
            folder.mkdir(exist_ok=True)
            entries = [] if self._reset else list(self._manifest["parts"])
            parts = [] if self._reset else list(self._parts)
            if len(self._stored):
                name = write_part(folder, segment_arrays(self._stored))
                entries.append({"name": name, "count": len(self._stored), "last_article_id": self._last_article_id})
                parts.append(open_part(folder / name))
            while (len(entries) > 1 and entries[-1]["count"] * 2 >= entries[-2]["count"]
                   and entries[-1]["count"] + entries[-2]["count"] <= MERGE_MAX_DOCS):
                name = write_merged(folder, parts[-2], parts[-1])
                merged = {"name": name, "count": entries[-2]["count"] + entries[-1]["count"],
                          "last_article_id": entries[-1]["last_article_id"]}
                entries[-2:], parts[-2:] = [merged], [open_part(folder / name)]
            manifest = {"layout": LAYOUT, "last_article_id": self._last_article_id, "parts": entries}
            write_atomic(self.cache_dir / MANIFEST, lambda f: f.write(json.dumps(manifest).encode()))
            for old in self.cache_dir.glob("stored-*.npz"):  # the single-file format of earlier versions
                old.unlink(missing_ok=True)
            keep = {e["name"] for e in entries}
            for old in folder.iterdir():
                if old.name not in keep and not old.name.startswith("."):
                    shutil.rmtree(old, ignore_errors=True)
        self._parts, self._manifest, self._stored, self._reset = parts, manifest, Segment(), False

    # -- what is known ------------------------------------------------------------------------

    def _segments(self) -> list[Segment]:
        return [self._seeds, *self._parts, self._stored, self._session]

    def __len__(self) -> int:
        return sum(len(s) for s in self._segments())

    @property
    def last_article_id(self) -> int:
        """The highest database id among the stored articles indexed (0 when none)."""
        return self._last_article_id

    def last_article(self) -> tuple[int, str] | None:
        """(id, url) of the newest stored article indexed, to check the database still holds it."""
        newest = next((s for s in [self._stored, *self._parts[::-1]] if len(s)), None)
        if newest is None:
            return None
        info = newest.docs.info(len(newest) - 1)
        return info.article_id, info.source

    def add(self, source: str, title: str, text: str, article_id: int | None = None,
            learned: frozenset[int] = frozenset()) -> None:
        """A stored article joins the index; with its database id it is also saved by `save()`."""
        prepared = prepare(title, text, learned)
        if article_id is not None and article_id > self._last_article_id:
            self._stored.add(DocInfo(source, title, article_id), prepared)
            self._last_article_id = article_id
            if len(self._stored) >= FLUSH_DOCS:  # a long rebuild keeps its memory bounded
                self.save()
        else:  # not in the database yet, or behind the saved part: known to this session only
            self._session.add(DocInfo(source, title, NO_ARTICLE), prepared)

    def sync(self, rows: Iterable[tuple[int, str, str, str]]) -> int:
        """Add database rows (id, url, title, text) newer than `last_article_id`; returns how many."""
        added = 0
        for article_id, url, title, text in rows:
            if article_id > self._last_article_id:
                self.add(url, title, text or "", article_id)
                added += 1
        return added

    def reset_stored(self) -> None:
        """Forget every stored article (the database no longer matches); `sync` rebuilds."""
        self._parts, self._stored = [], Segment()
        self._last_article_id = 0
        self._reset = True

    def stats(self) -> dict[str, int]:
        """Sizes for benchmarks: documents, postings and compressed text bytes."""
        parts = self._segments()
        return {
            "documents": len(self),
            "postings": sum(len(s.postings) for s in parts),
            "text_bytes": sum(s.docs.text_bytes() for s in parts),
        }

    # -- deciding -----------------------------------------------------------------------------

    def check(self, title: str, text: str, learned: frozenset[int] = frozenset()) -> Verdict:
        """`duplicate` (of which known document, how similar, which figures changed) or `new`.

        `learned`: keys of the boilerplate lines learned for the text's portal (`Boilerplate`).
        """
        prepared = prepare(title, text, learned)
        found = self._overlaps(prepared)
        assessment = _assessment(prepared, found)
        verdict = decide(assessment, self.rule, self.thresholds)
        if verdict.duplicate_of is not None and verdict.duplicate_of.score < 1.0:
            source = found[[m for _, m in assessment.candidates].index(verdict.duplicate_of)]
            verdict.changes = number_changes(source.text, prepared.simplified)
        return verdict

    def assess(self, title: str, text: str, learned: frozenset[int] = frozenset()) -> Assessment:
        """What `check` decides from: the text's length, its new characters and every verified candidate."""
        prepared = prepare(title, text, learned)
        return _assessment(prepared, self._overlaps(prepared))

    def closest(self, title: str, text: str, learned: frozenset[int] = frozenset()) -> Match | None:
        """The known document holding most of the text, whatever the score (for explanations)."""
        found = self._overlaps(prepare(title, text, learned), min_share=0.0)
        if not found:
            return None
        best = max(found, key=lambda f: (f.overlap.score, -f.doc))
        return _match(best)

    def _overlaps(self, prepared: Prepared, min_share: float = CANDIDATE_SHARE) -> list[Verified]:
        """The verified candidates; an exact copy alone when there is one."""
        if not prepared.folded:
            return []
        self._bound_resident()
        parts = self._segments()
        for segment in parts:
            doc = segment.docs.find_exact(prepared.exact_hash)
            if doc is not None:
                return [Verified(exact(prepared), segment, doc, "")]
        filled = [segment for segment in parts if len(segment)]
        if not filled:
            return []
        budget = POSTINGS_PER_FINGERPRINT * len(prepared.fingerprints)
        read = read_postings(filled, prepared.keys, budget)
        key_idf = idf(read.doc_freq, len(self))
        ranked = best_candidates(read, [len(s) for s in filled], key_idf, min_share * float(key_idf[read.chosen].sum()))
        if not ranked:
            return []
        text = weigh(prepared, key_idf[: len(prepared.fingerprints)])
        verified = []
        for weight, rank, doc in ranked:
            if weight >= CANDIDATE_RELATIVE * ranked[0][0]:
                known = filled[rank].docs.text(doc)
                verified.append(Verified(measure(text, shingle_hashes(fold(known))), filled[rank], doc, known))
        return verified

    def _bound_resident(self) -> None:
        """Give back the saved parts' pages once the process holds too many (see RESIDENT_CHECKS)."""
        self._checks += 1
        if self._checks % RESIDENT_CHECKS == 0 and (resident_bytes() or 0) > RESIDENT_BYTES:
            for part in self._parts:
                part.docs.release()


class Verified(NamedTuple):
    """A known document measured against a text."""

    overlap: Overlap
    segment: Segment
    doc: int
    text: str  # the document's text (empty for an exact copy: nothing of it is compared further)


def _assessment(prepared: Prepared, found: list[Verified]) -> Assessment:
    return Assessment(len(prepared.folded), new_chars(prepared, [f.overlap for f in found]),
                      [(f.overlap, _match(f)) for f in found])


def _match(found: Verified) -> Match:
    info = found.segment.docs.info(found.doc)
    overlap = found.overlap
    return Match(source=info.source, title=info.title, score=round(overlap.score, 4),
                 contained=round(overlap.contained, 4), contains=round(overlap.contains, 4))


def _open_seed_segment(cache_dir: Path, seeds: Sequence[SeedArticle]) -> Segment:
    """The cached seed segment for exactly these seeds, else a fresh one (saved for next time)."""
    path = cache_dir / f"seeds-{seeds_key(seeds)}.npz"
    if path.exists():
        try:
            return load_segment(path)[0]
        except ValueError as exc:
            log.warning("rebuilding the seed index: %s", exc)
    segment = build_seed_segment(seeds)
    save_segment(path, segment, {"layout": LAYOUT, "seeds": len(seeds)})
    for old in cache_dir.glob("seeds-*.npz"):
        if old != path:
            old.unlink(missing_ok=True)
    return segment


def _empty_manifest() -> dict:
    return {"layout": LAYOUT, "last_article_id": 0, "parts": []}


def _read_manifest(cache_dir: Path) -> dict | None:
    try:
        return json.loads((cache_dir / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _open_parts(cache_dir: Path) -> tuple[list[Segment], dict | None]:
    """The saved parts (memory-mapped) and the manifest naming them; no parts and no manifest (the
    saved index is to be replaced) when in doubt."""
    manifest = _read_manifest(cache_dir)
    if manifest is None:
        if (cache_dir / MANIFEST).exists():
            log.warning("rebuilding the stored-article index in %s: unreadable %s", cache_dir, MANIFEST)
            return [], None
        return [], _empty_manifest()
    try:
        if manifest.get("layout") != LAYOUT:
            raise ValueError("built with other settings")
        parts = []
        for entry in manifest["parts"]:
            part = open_part(cache_dir / PARTS / entry["name"])
            if len(part) != entry["count"] or (len(part) and part.docs.info(len(part) - 1).article_id
                                                != entry["last_article_id"]):
                raise ValueError(f"{entry['name']}: part and manifest disagree")
            parts.append(part)
    except (KeyError, TypeError, ValueError) as exc:
        log.warning("rebuilding the stored-article index in %s: %s", cache_dir, exc)
        return [], None
    return parts, manifest
