"""Dedupe speed and recall at scale on formulaic prose, beside datasketch MinHashLSHEnsemble and MinHashLSH.

The known articles are generated from the seed corpus by a character Markov chain (order 4 by
default): every text is made of the seeds' own phrasing, so most of its shingles are shared by
thousands of other articles, as in government prose, where a copy is easy to miss and a neighbour
easy to mistake for a copy. 1,000 queries: 500 copies of known articles (the first 10-30% cut off
and a sentence added) and 500 unrelated articles from the same chain (the same 500 at every size).
The copied articles are drawn uniformly (seeded) from all the articles known at that size, so old and
recent ones are copied alike; copies found is also printed per quarter of the archive by age, as a
lookup that favours old articles misses copies of recent ones.

The seeds themselves are not among the known articles: the chain reproduces long runs of them, so
against the seeds every generated text would be a partial copy.

Each (method, size) runs in its own process so that its peak memory is its own. All three methods
work on the same 8-character shingles of the same normalised text (`prepare`), and their check time
includes that normalisation:
  ours       `DedupeIndex.check` on an index built by `sync` and saved, then reopened from disk
             as every crawl opens it; that process checks, adds the new articles and saves, as a
             crawl does: its peak RSS is the crawl's (the build's is printed apart). The peak counts the
             pages of the memory-mapped index the process touched, which are page cache the kernel may
             take back; what the process holds at the end is printed split into its own memory and those
  ensemble   datasketch `MinHashLSHEnsemble` (containment >= 0.5, 128 permutations, 16 partitions);
             a query is a duplicate of the returned candidate with the highest estimated containment
  lsh        datasketch `MinHashLSH` (Jaccard >= 0.5, 128 permutations), best estimated Jaccard
Checks are timed three times; the shortest counts, in wall time and in the process's CPU time (on a
shared machine the wall time mostly measures the other processes).

    .venv/bin/python bench/dedupe_speed.py                          # 20,000 articles (the issue's check)
    .venv/bin/python bench/dedupe_speed.py --sizes 10000 100000
    nice -n 10 .venv/bin/python bench/dedupe_speed.py --sizes 10000 100000 1000000   # once: hours
    .venv/bin/python bench/dedupe_speed.py --keep DIR --sizes 1000000 --methods ours   # DIR's corpus reused
    .venv/bin/python bench/dedupe_speed.py --part-docs 5000   # 20,000 saved as 4 parts, as 1M are

With `--keep DIR` the generated corpus stays in DIR and a later run reuses it when it was made with the
same chain order and at least as many articles (the indexes are built afresh every run).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from portalwatch.dedupe import DedupeIndex  # noqa: E402
from portalwatch.dedupe import index as dedupe_index  # noqa: E402
from portalwatch.dedupe.prepare import prepare  # noqa: E402
from portalwatch.seeds import load_seeds  # noqa: E402
from portalwatch.textnorm import to_simplified  # noqa: E402

CHECKS = 1000
REPEATS = 3
BATCH = 20_000  # articles generated at once
PERMUTATIONS = 128
CORPUS = "corpus.json"  # what the corpus in a kept folder was made with
FRESH = "fresh.jsonl"  # the queries' unrelated articles and added sentences
AGES = 4  # copies found is also printed per this many slices of the archive, oldest first


class Markov:
    """A character Markov chain over the seed texts, sampled for many articles at once with numpy."""

    def __init__(self, order: int) -> None:
        text = "".join(to_simplified(s.text).replace("\n", "") for s in load_seeds(ROOT / "seeds"))
        text += text[:order]  # cyclic: every context has a successor
        chars = sorted(set(text))
        self.chars = np.array([ord(c) for c in chars], dtype=np.uint32)
        code = {c: i for i, c in enumerate(chars)}
        codes = [code[c] for c in text]
        contexts: dict[tuple[int, ...], int] = {}
        ids = [contexts.setdefault(tuple(codes[i : i + order]), len(contexts)) for i in range(len(codes) - order + 1)]
        pairs: dict[tuple[int, int], int] = {}  # (context, next char) -> count
        for i in range(len(codes) - order):
            key = (ids[i], codes[i + order])
            pairs[key] = pairs.get(key, 0) + 1
        entries = sorted(pairs.items())
        ctx = np.array([c for (c, _), _ in entries], dtype=np.int64)
        nxt = np.array([n for (_, n), _ in entries], dtype=np.int64)
        counts = np.array([v for _, v in entries], dtype=np.float64)
        totals = np.bincount(ctx, weights=counts)
        within = np.cumsum(counts) - np.concatenate([[0], np.cumsum(totals)])[ctx]
        self.cdf = ctx + within / totals[ctx]  # context c's cumulative shares in (c, c + 1]
        self.next_char = nxt
        self.next_context = np.array(self._next_contexts(contexts, ctx, nxt), dtype=np.int64)
        self.contexts = len(contexts)

    @staticmethod
    def _next_contexts(contexts: dict[tuple[int, ...], int], ctx: np.ndarray, nxt: np.ndarray) -> list[int]:
        keys = {v: k for k, v in contexts.items()}
        return [contexts[(*keys[int(c)][1:], int(n))] for c, n in zip(ctx, nxt, strict=True)]

    def texts(self, rng: np.random.Generator, count: int, lengths: np.ndarray) -> list[str]:
        """`count` texts of the given lengths, each from a random context."""
        state = rng.integers(0, self.contexts, count)
        out = np.empty((count, int(lengths.max())), dtype=np.uint32)
        for step in range(out.shape[1]):
            entry = np.searchsorted(self.cdf, state + rng.random(count), side="left")
            out[:, step] = self.chars[self.next_char[entry]]
            state = self.next_context[entry]
        return [row[:n].tobytes().decode("utf-32-le") for row, n in zip(out, lengths, strict=True)]


def articles(chain: Markov, seed: int, count: int) -> Iterator[tuple[str, str]]:
    """(title, text) of `count` formulaic articles, 400 to 1,600 characters, in paragraphs."""
    rng = np.random.default_rng(seed)
    for start in range(0, count, BATCH):
        n = min(BATCH, count - start)
        bodies = chain.texts(rng, n, rng.integers(400, 1600, n))
        titles = chain.texts(rng, n, rng.integers(12, 30, n))
        for title, body in zip(titles, bodies, strict=True):
            cut = [i + 1 for i, ch in enumerate(body) if ch == "。"][2::3]
            paras = [body[a:b] for a, b in zip([0, *cut], [*cut, len(body)], strict=True)]
            yield title, "\n".join(p for p in paras if p)


def make_data(folder: Path, largest: int, order: int) -> None:
    """known.jsonl (largest articles), then the unrelated texts and added sentences of the queries."""
    chain = Markov(order)
    with (folder / "known.jsonl").open("w", encoding="utf-8") as f:
        for n, (title, text) in enumerate(articles(chain, 1, largest)):
            f.write(json.dumps({"id": n + 1, "title": title, "text": text}, ensure_ascii=False) + "\n")
    make_fresh(folder, chain)
    (folder / CORPUS).write_text(json.dumps({"order": order, "articles": largest, "checks": CHECKS}), encoding="utf-8")


def make_fresh(folder: Path, chain: Markov) -> None:
    """fresh.jsonl: per query an unrelated article (title, text) and a sentence to add to a copy."""
    added = chain.texts(np.random.default_rng(4), CHECKS, np.full(CHECKS, 40))
    with (folder / FRESH).open("w", encoding="utf-8") as f:
        for (title, text), sentence in zip(articles(chain, 3, CHECKS), added, strict=True):
            f.write(json.dumps({"title": title, "text": text, "added": sentence}, ensure_ascii=False) + "\n")


def write_queries(folder: Path, size: int) -> None:
    """queries-SIZE.jsonl (with the expected source or null): copies of articles drawn from all `size` known."""
    fresh = [json.loads(line) for line in (folder / FRESH).read_text(encoding="utf-8").splitlines()]
    rng = random.Random(2)
    copied = {q: (rng.randrange(size), rng.uniform(0.1, 0.3)) for q in range(0, CHECKS, 2)}
    wanted = {n + 1 for n, _ in copied.values()}
    known = {i: (title, text) for i, _, title, text in known_rows(folder, size) if i in wanted}
    with (folder / f"queries-{size}.jsonl").open("w", encoding="utf-8") as f:
        for q, row in enumerate(fresh):
            if q in copied:
                n, cut = copied[q]
                title, text = known[n + 1]
                text = text[int(len(text) * cut) :] + row["added"] + "。"
                query = {"title": title, "text": text, "source": url(n + 1), "id": n + 1}
            else:
                query = {"title": row["title"], "text": row["text"], "source": None}
            f.write(json.dumps(query, ensure_ascii=False) + "\n")


def corpus_ready(folder: Path, largest: int, order: int) -> bool:
    """Whether `folder` holds a corpus `make_data` wrote with this order and at least `largest` articles."""
    try:
        made = json.loads((folder / CORPUS).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return made.get("order") == order and made.get("articles", 0) >= largest and made.get("checks") == CHECKS


def url(article_id: int) -> str:
    return f"http://portal.test/art/{article_id}.html"


def known_rows(folder: Path, size: int) -> Iterator[tuple[int, str, str, str]]:
    with (folder / "known.jsonl").open(encoding="utf-8") as f:
        for line, _ in zip(f, range(size), strict=False):
            row = json.loads(line)
            yield row["id"], url(row["id"]), row["title"], row["text"]


def score(answers: list[str | None], queries: list[dict], size: int) -> dict:
    pairs = list(zip(answers, queries, strict=True))
    copies = [(a, q) for a, q in pairs if q["source"]]
    fresh = [(a, q) for a, q in pairs if not q["source"]]
    tp = sum(a == q["source"] for a, q in copies)
    fp = sum(a is not None and a != q["source"] for a, q in pairs)
    by_age = [[a == q["source"] for a, q in copies if (q["id"] - 1) * AGES // size == age] for age in range(AGES)]
    return {"found": tp / len(copies), "new_kept": sum(a is None for a, _ in fresh) / len(fresh),
            "precision": tp / (tp + fp) if tp + fp else 1.0,
            "found_by_age": [sum(hits) / len(hits) if hits else 1.0 for hits in by_age]}


def best_of(repeats: int, job):
    """(shortest wall time, shortest CPU time of this process, first result) of `repeats` runs of `job`."""
    times, cpu, first = [], [], None
    for _ in range(repeats):
        start, start_cpu = time.perf_counter(), time.process_time()
        result = job()
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
        first = result if first is None else first
    return min(times), min(cpu), first


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def resident_mb() -> dict[str, float]:
    """The process's resident memory now, in MB: its own (anonymous) and the pages of mapped files it holds
    (the index parts: page cache the kernel may take back), from /proc/self/status (Linux; else nothing)."""
    try:
        lines = Path("/proc/self/status").read_text().splitlines()
    except OSError:
        return {}
    fields = dict(line.split(":", 1) for line in lines if ":" in line)
    return {f"{key.lower()}_mb": int(fields[key].split()[0]) / 1024 for key in ("RssAnon", "RssFile") if key in fields}


def run_build(folder: Path, size: int, part_docs: int) -> dict:
    """Build our index from the rows and save it (its own process: its peak is the build's).

    With `part_docs` the index is saved as unmerged parts of that many articles, as a much larger
    archive is (4 parts at 1M articles).
    """
    if part_docs:
        dedupe_index.FLUSH_DOCS = dedupe_index.MERGE_MAX_DOCS = part_docs
    start = time.perf_counter()
    index = DedupeIndex.open(folder / f"cache-{size}", [])
    index.sync(known_rows(folder, size))
    index.save()
    return {"build_s": time.perf_counter() - start, "build_peak_rss_mb": peak_rss_mb(), **index.stats()}


def run_ours(folder: Path, size: int, queries: list[dict]) -> dict:
    start = time.perf_counter()
    index = DedupeIndex.open(folder / f"cache-{size}", [])
    opened = time.perf_counter() - start
    checks, cpu, verdicts = best_of(REPEATS, lambda: [index.check(q["title"], q["text"]) for q in queries])
    answers = [v.duplicate_of.source if v.duplicate_of else None for v in verdicts]
    checked_peak = peak_rss_mb()
    # what a crawl then does: the new articles join the index, which is saved (one part appended)
    start = time.perf_counter()
    for n, (q, verdict) in enumerate(zip(queries, verdicts, strict=True)):
        if verdict.status == "new":
            index.add(f"http://portal.test/new/{n}.html", q["title"], q["text"], article_id=size + 1 + n)
    index.save()
    saved = time.perf_counter() - start
    on_disk = sum(p.stat().st_size for p in (folder / f"cache-{size}").rglob("*") if p.is_file())
    return {"open_s": opened, "check_s": checks, "check_cpu_s": cpu, "save_s": saved, "index_bytes": on_disk,
            **score(answers, queries, size),
            "checked_peak_rss_mb": checked_peak, "peak_rss_mb": peak_rss_mb(), **resident_mb()}


def shingles(title: str, text: str) -> np.ndarray:
    """Distinct 32-bit hashes of the 8-character shingles of the normalised text (our shingles)."""
    return (np.unique(prepare(title, text).hashes) >> np.uint64(32)).astype(np.uint32)


def minhash(values: np.ndarray):
    from datasketch import MinHash

    m = MinHash(num_perm=PERMUTATIONS, hashfunc=int)
    m.update_batch(values.tolist())
    return m


def containment(jaccard: float, query_size: int, known_size: int) -> float:
    """|Q ∩ K| / |Q| from the estimated Jaccard similarity and both set sizes."""
    return jaccard * (query_size + known_size) / ((1 + jaccard) * query_size) if query_size else 0.0


def run_datasketch(method: str, folder: Path, size: int, queries: list[dict]) -> dict:
    from datasketch import MinHashLSH, MinHashLSHEnsemble

    start = time.perf_counter()
    entries = []
    for _, source, title, text in known_rows(folder, size):
        values = shingles(title, text)
        entries.append((source, minhash(values), len(values)))
    sizes = {key: n for key, _, n in entries}
    signatures = {key: m for key, m, _ in entries}
    if method == "ensemble":
        index = MinHashLSHEnsemble(threshold=0.5, num_perm=PERMUTATIONS, num_part=16)
        index.index(entries)
    else:
        index = MinHashLSH(threshold=0.5, num_perm=PERMUTATIONS)
        for key, m, _ in entries:
            index.insert(key, m)
    del entries
    build = time.perf_counter() - start

    def check_all() -> list[str | None]:
        answers = []
        for q in queries:
            values = shingles(q["title"], q["text"])
            m = minhash(values)
            if method == "ensemble":
                found = list(index.query(m, len(values)))
                n = len(values)
                answers.append(max(found, key=lambda key, m=m, n=n: containment(signatures[key].jaccard(m), n,
                                                                               sizes[key])) if found else None)
            else:
                found = index.query(m)
                answers.append(max(found, key=lambda key, m=m: signatures[key].jaccard(m)) if found else None)
        return answers

    checks, cpu, answers = best_of(REPEATS, check_all)
    return {"build_s": build, "check_s": checks, "check_cpu_s": cpu, **score(answers, queries, size),
            "peak_rss_mb": peak_rss_mb()}


def worker(method: str, size: int, folder: Path, part_docs: int) -> None:
    text = (folder / f"queries-{size}.jsonl").read_text(encoding="utf-8")
    queries = [json.loads(line) for line in text.splitlines()]
    if method == "build":
        result = run_build(folder, size, part_docs)
    elif method == "ours":
        result = run_ours(folder, size, queries)
    else:
        result = run_datasketch(method, folder, size, queries)
    print(json.dumps(result))


def run_worker(method: str, size: int, folder: Path, part_docs: int = 0) -> dict:
    done = subprocess.run([sys.executable, __file__, "--worker", method, str(size), str(folder), str(part_docs)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        return {"failed": (done.stderr.strip().splitlines() or ["exit " + str(done.returncode)])[-1]}
    return json.loads(done.stdout.strip().splitlines()[-1])


def line(method: str, size: int, r: dict) -> str:
    if "failed" in r:
        return f"{method:8} {size:>8} known: FAILED ({r['failed']})"
    build = f"build {r['build_s']:7.1f} s (peak RSS {r['build_peak_rss_mb']:.0f} MB)" if "build_peak_rss_mb" in r \
        else f"build {r['build_s']:7.1f} s"
    opened = (f" | reopen {r['open_s']:.2f} s, add the new ones and save {r['save_s']:.2f} s, index on disk "
              f"{r['index_bytes'] / 2**20:.0f} MB" if "open_s" in r else "")
    checked = f" ({r['checked_peak_rss_mb']:.0f} MB after the checks)" if "checked_peak_rss_mb" in r else ""
    if "rssanon_mb" in r:
        opened += (f" | resident at the end: {r['rssanon_mb']:.0f} MB its own, {r['rssfile_mb']:.0f} MB of mapped "
                   "index files")
    return (f"{method:8} {size:>8} known: {build} | {CHECKS} checks {r['check_s']:6.2f} s "
            f"({r['check_s'] / CHECKS * 1000:.2f} ms each, CPU {r['check_cpu_s'] / CHECKS * 1000:.2f} ms) | "
            f"copies found {r['found']:.3f} (by age, oldest quarter first: "
            f"{' / '.join(f'{x:.3f}' for x in r['found_by_age'])}), new kept new "
            f"{r['new_kept']:.3f}, precision {r['precision']:.4f} | peak RSS {r['peak_rss_mb']:.0f} MB"
            f"{checked}{opened}")


def load() -> str:
    """The 1, 5 and 15 minute load averages: benchmark figures on a busy machine are noisy."""
    return " / ".join(f"{x:.1f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[20_000])
    parser.add_argument("--order", type=int, default=4, help="Markov chain order (characters of context)")
    parser.add_argument("--methods", nargs="+", default=["ours", "ensemble", "lsh"])
    parser.add_argument("--ensemble-max", type=int, default=100_000,
                        help="largest size for MinHashLSHEnsemble (its memory: about 1.5 GB at 20,000 articles)")
    parser.add_argument("--keep", type=Path, help="work in this folder and keep the data (default: a temp folder)")
    parser.add_argument("--part-docs", type=int, default=0,
                        help="save our index as unmerged parts of this many articles (default: as a crawl saves it)")
    parser.add_argument("--worker", nargs=4, metavar=("METHOD", "SIZE", "FOLDER", "PARTS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker[0], int(args.worker[1]), Path(args.worker[2]), int(args.worker[3]))
        return
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        start = time.perf_counter()
        reused = corpus_ready(folder, max(args.sizes), args.order)
        if not reused:
            make_data(folder, max(args.sizes), args.order)
        elif not (folder / FRESH).exists():  # kept by an earlier version of this script
            make_fresh(folder, Markov(args.order))
        made = json.loads((folder / CORPUS).read_text(encoding="utf-8"))["articles"]
        print(f"formulaic corpus (order-{args.order} character Markov chain over the seeds): {made} "
              f"known articles, {CHECKS} queries "
              f"({'reused from ' + str(folder) if reused else f'{time.perf_counter() - start:.0f} s to generate'})",
              flush=True)
        print(f"machine: {os.cpu_count()} cores, load average {load()} at the start", flush=True)
        results = {}
        for size in args.sizes:
            for old in folder.glob(f"cache-{size}"):  # an index of an earlier run holds its added articles
                shutil.rmtree(old)
            write_queries(folder, size)
            for method in args.methods:
                if method == "ensemble" and size > args.ensemble_max:
                    print(f"ensemble {size:>8} known: skipped (--ensemble-max {args.ensemble_max})", flush=True)
                    continue
                if method == "ours":
                    built = run_worker("build", size, folder, args.part_docs)
                    r = {**built, **run_worker("ours", size, folder)} if "failed" not in built else built
                else:
                    r = run_worker(method, size, folder)
                results[method, size] = r
                print(line(method, size, r), flush=True)
        for size in args.sizes:
            ours = results.get(("ours", size), {})
            for base in ("ensemble", "lsh"):
                other = results.get((base, size), {})
                if "check_s" in ours and "check_s" in other:
                    print(f"{size} known: ours takes {ours['check_s'] / other['check_s']:.2f}x {base}'s check time "
                          f"(CPU time: {ours['check_cpu_s'] / other['check_cpu_s']:.2f}x)")
        print(f"load average {load()} at the end")


if __name__ == "__main__":
    main()
