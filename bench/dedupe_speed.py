"""Dedupe speed at scale: 10,000 and 100,000 known articles, 1,000 checks, versus datasketch MinHashLSH.

The known articles are synthetic (seeded, deterministic): sentences of word pieces cut from the
seed corpus and the hand-written articles, with figures, and one sentence in ten a stock phrase
shared by many articles (as portal boilerplate and official phrasing are). The 1,000 queries are
500 copies of known articles (frame and title prefix, Traditional, edited, excerpt, list summary,
punctuation and width changes) and 500 new articles (a fifth of them quoting a known sentence).
All copies are of the first 10,000 articles, so both corpus sizes answer the same queries.

Each (method, size) runs in its own process so that its peak memory is its own. The baseline is a
plain datasketch `MinHashLSH` (threshold 0.5, 128 permutations) over the same 8-character shingles
of the same normalised text; it calls a query a duplicate when the LSH returns a candidate, and
names the candidate with the highest estimated Jaccard similarity. Both methods include the same text
normalisation in their check time; the 1,000 checks are timed three times and the shortest counts.

    .venv/bin/python bench/dedupe_speed.py            # both sizes, both methods (several minutes)
    .venv/bin/python bench/dedupe_speed.py --sizes 10000
"""

from __future__ import annotations

import argparse
import json
import pickle
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import opencc

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from portalwatch.dedupe import DedupeIndex  # noqa: E402
from portalwatch.dedupe.policy import SHINGLE  # noqa: E402
from portalwatch.dedupe.prepare import compose  # noqa: E402
from portalwatch.seeds import load_seeds  # noqa: E402
from portalwatch.textnorm import normalize  # noqa: E402

CHECKS = 1000
REPEATS = 3  # the 1,000 checks are timed this many times; the shortest counts
FOOTER = "\n有想补充的信息?点我投稿\n投资咨询热线\n400-162-2002\n联系我们\n企业入驻"
HEADER = "新闻专题 > 综合类 > 正文\n2024-05-06 09:30 来源:青岛新闻网\n分享到:\n"
UNITS = ["亿元", "万元", "个", "家", "项", "%", "亩", "万平方米"]


class Synth:
    """Deterministic synthetic portal articles."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        texts = [s.text for s in load_seeds(ROOT / "seeds")]
        texts.append((ROOT / "bench" / "data" / "dedupe_new_articles.txt").read_text(encoding="utf-8"))
        chars = "".join(ch for t in texts for ch in t if "\u4e00" <= ch <= "\u9fff")
        pieces: set[str] = set()
        i = 0
        cut = random.Random(7)
        while i < len(chars):
            n = cut.choice((2, 2, 3, 4))
            pieces.add(chars[i : i + n])
            i += n
        self.pieces = sorted(pieces)
        stock = [s for t in texts for s in t.replace("\n", "。").split("。") if 12 <= len(s) <= 40]
        self.stock = sorted(set(stock))[:300]

    def sentence(self) -> str:
        rng = self.rng
        if rng.random() < 0.1:
            return rng.choice(self.stock) + "。"
        words = [rng.choice(self.pieces) for _ in range(rng.randint(6, 14))]
        if rng.random() < 0.5:
            words.insert(rng.randrange(len(words)), f"{rng.randint(2, 9999)}{rng.choice(UNITS)}")
        words.insert(rng.randrange(1, len(words)), ",")
        return "".join(words) + "。"

    def article(self) -> tuple[str, str]:
        rng = self.rng
        title = "".join(rng.choice(self.pieces) for _ in range(rng.randint(4, 8)))
        paras = ["".join(self.sentence() for _ in range(rng.randint(3, 8))) for _ in range(rng.randint(3, 6))]
        return title, "\n".join(paras)


def copy_of(rng: random.Random, kind: int, title: str, text: str, to_trad: opencc.OpenCC) -> tuple[str, str]:
    """A republished copy of a known article, by one of six kinds of edit."""
    if kind == 0:
        return "【即墨区招商】" + title, HEADER + text + FOOTER
    if kind == 1:
        return to_trad.convert(title), to_trad.convert(text)
    if kind == 2:
        parts = text.split("。")
        parts.pop(rng.randrange(len(parts)))
        edited = "。".join(parts)
        return title, edited.replace("1", "7", 2) + "记者从有关部门获悉,相关工作正在推进。"
    if kind == 3:
        start = len(text) // 4
        return title + "(节选)", text[start : start + len(text) // 2]
    if kind == 4:
        return title, text[:200] + "..."
    return title, text.replace(",", ",").replace("。", "。\n").translate(
        {ord(c): ord(c) + 0xFEE0 for c in "0123456789"})


def make_data(folder: Path, largest: int) -> None:
    """known.jsonl (largest articles) and queries.jsonl (with the expected source or null)."""
    synth = Synth(1)
    with (folder / "known.jsonl").open("w", encoding="utf-8") as f:
        known = []
        for n in range(largest):
            title, text = synth.article()
            if n < 10_000:
                known.append((title, text))
            f.write(json.dumps({"id": n + 1, "title": title, "text": text}, ensure_ascii=False) + "\n")
    rng, fresh, to_trad = random.Random(2), Synth(3), opencc.OpenCC("s2t")
    with (folder / "queries.jsonl").open("w", encoding="utf-8") as f:
        for q in range(CHECKS):
            if q % 2 == 0:
                n = rng.randrange(len(known))
                title, text = copy_of(rng, (q // 2) % 6, *known[n], to_trad)
                source = url(n + 1)
            else:
                title, text = fresh.article()
                if q % 10 == 1:
                    text += "\n此前有报道称:" + known[rng.randrange(len(known))][1].split("。")[0] + "。"
                source = None
            f.write(json.dumps({"title": title, "text": text, "source": source}, ensure_ascii=False) + "\n")


def url(article_id: int) -> str:
    return f"http://portal.test/art/{article_id}.html"


def known_rows(folder: Path, size: int) -> Iterator[tuple[int, str, str, str]]:
    with (folder / "known.jsonl").open(encoding="utf-8") as f:
        for line, _ in zip(f, range(size), strict=False):
            row = json.loads(line)
            yield row["id"], url(row["id"]), row["title"], row["text"]


def score(answers: list[str | None], queries: list[dict]) -> dict:
    tp = sum(a is not None and a == q["source"] for a, q in zip(answers, queries, strict=True))
    fp = sum(a is not None and a != q["source"] for a, q in zip(answers, queries, strict=True))
    fn = sum(q["source"] is not None and a != q["source"] for a, q in zip(answers, queries, strict=True))
    return {"precision": tp / (tp + fp) if tp + fp else 1.0, "recall": tp / (tp + fn) if tp + fn else 1.0,
            "accuracy": sum(a == q["source"] for a, q in zip(answers, queries, strict=True)) / len(queries)}


def run_ours(folder: Path, size: int, queries: list[dict]) -> dict:
    cache = folder / f"cache-{size}"
    start = time.perf_counter()
    index = DedupeIndex.open(cache, load_seeds(ROOT / "seeds"))
    index.sync(known_rows(folder, size))
    index.check("", "预热")  # settles the postings added by sync into sorted arrays
    build = time.perf_counter() - start
    checks, verdicts = best_of(REPEATS, lambda: [index.check(q["title"], q["text"]) for q in queries])
    index.save()
    on_disk = sum(p.stat().st_size for p in cache.glob("stored-*.npz"))
    answers = [v.duplicate_of.source if v.duplicate_of else None for v in verdicts]
    result = {"build_s": build, "check_s": checks, "index_bytes": on_disk, **index.stats(),
              **score(answers, queries), "peak_rss_mb": peak_rss_mb()}  # before the reopen below
    start = time.perf_counter()
    DedupeIndex.open(cache, load_seeds(ROOT / "seeds"))
    return {**result, "reopen_s": time.perf_counter() - start}


def best_of(repeats: int, job):
    """(shortest time of `repeats` runs, result of the first run): less noise from other processes."""
    times, first = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = job()
        times.append(time.perf_counter() - start)
        first = result if first is None else first
    return min(times), first


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def shingle_set(title: str, text: str) -> list[bytes]:
    folded = normalize(compose(title, text))
    return list({folded[i : i + SHINGLE].encode("utf-8") for i in range(max(1, len(folded) - SHINGLE + 1))})


def run_minhash(folder: Path, size: int, queries: list[dict]) -> dict:
    from datasketch import MinHash, MinHashLSH

    start = time.perf_counter()
    lsh = MinHashLSH(threshold=0.5, num_perm=128)
    hashes: dict[str, MinHash] = {}
    for _, source, title, text in known_rows(folder, size):
        m = MinHash(num_perm=128)
        m.update_batch(shingle_set(title, text))
        lsh.insert(source, m)
        hashes[source] = m
    build = time.perf_counter() - start

    def check_all() -> list[str | None]:
        answers = []
        for q in queries:
            m = MinHash(num_perm=128)
            m.update_batch(shingle_set(q["title"], q["text"]))
            found = lsh.query(m)
            answers.append(max(found, key=lambda key: hashes[key].jaccard(m)) if found else None)
        return answers

    checks, answers = best_of(REPEATS, check_all)
    index_bytes = len(pickle.dumps((lsh, hashes), protocol=pickle.HIGHEST_PROTOCOL))
    return {"build_s": build, "check_s": checks, "index_bytes": index_bytes, **score(answers, queries),
            "peak_rss_mb": peak_rss_mb()}


def worker(method: str, size: int, folder: Path) -> None:
    queries = [json.loads(line) for line in (folder / "queries.jsonl").read_text(encoding="utf-8").splitlines()]
    print(json.dumps((run_ours if method == "ours" else run_minhash)(folder, size, queries)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--worker", nargs=3, metavar=("METHOD", "SIZE", "FOLDER"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker[0], int(args.worker[1]), Path(args.worker[2]))
        return
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        start = time.perf_counter()
        make_data(folder, max(args.sizes))
        chars = sum(len(json.loads(line)["text"]) for line in (folder / "known.jsonl").open(encoding="utf-8"))
        print(f"synthetic corpus: {max(args.sizes)} known articles of {chars / max(args.sizes):.0f} characters"
              f" on average, {CHECKS} queries ({time.perf_counter() - start:.1f} s)")
        results = {}
        for size in args.sizes:
            for method in ("ours", "minhash"):
                out = subprocess.run([sys.executable, __file__, "--worker", method, str(size), str(folder)],
                                     check=True, capture_output=True, text=True).stdout
                results[method, size] = r = json.loads(out.strip().splitlines()[-1])
                print(f"{method:8} {size:>7} known: build {r['build_s']:7.1f} s | {CHECKS} checks "
                      f"{r['check_s']:6.2f} s ({r['check_s'] / CHECKS * 1000:.2f} ms each) | precision "
                      f"{r['precision']:.4f} recall {r['recall']:.4f} | peak RSS {r['peak_rss_mb']:.0f} MB | "
                      f"index {r['index_bytes'] / size:.0f} B/article"
                      + (f" ({r['text_bytes'] / size:.0f} of them text) | reopen {r['reopen_s']:.2f} s"
                         if "reopen_s" in r else ""), flush=True)
        for size in args.sizes:
            ours, base = results["ours", size], results["minhash", size]
            print(f"{size} known: ours takes {ours['check_s'] / base['check_s']:.2f}x the baseline's check time")
        if len(args.sizes) > 1:
            small, large = min(args.sizes), max(args.sizes)
            growth = results["ours", large]["check_s"] / results["ours", small]["check_s"]
            print(f"time per check, {large} vs {small} known: x{growth:.2f} (must be at most 2)")


if __name__ == "__main__":
    main()
